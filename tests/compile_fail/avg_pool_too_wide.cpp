// avg_pool1d<8> on an input of length 5 (valid windows only: the window must fit in the input).
#include <helix/helix.hpp>
#include <helix/layers/pooling/avg_pool1d.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<5, 2>, seq<avg_pool1d<8>, flatten>> net;
#else
    network<shape<5, 2>, seq<avg_pool1d<5>, flatten>> net;
#endif
    return int(net.parameters().size() != 0);
}
