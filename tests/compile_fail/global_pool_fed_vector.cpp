// global_max_pool after flatten: its input must be <length, channels>, not a vector.
#include <helix/helix.hpp>
#include <helix/layers/pooling/global_pool.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<6, 4>, seq<flatten, global_max_pool>> net;
#else
    network<shape<6, 4>, seq<global_max_pool, flatten>> net;
#endif
    return int(net.parameters().size() != 0);
}
