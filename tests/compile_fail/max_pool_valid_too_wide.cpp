// A VALID max-pool wider than its input: max_pool1d<12> on 10 positions.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 4>, seq<max_pool1d<12>, flatten, dense<1>>> net;
#else
    network<shape<10, 4>, seq<max_pool1d<12, 12, padding::same>, flatten, dense<1>>> net;
#endif
    return int(net.parameters().size() == 0);
}
