// A convolution wider than its input: conv1d<8, 15> on 10 positions.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 4>, seq<conv1d<8, 15>, relu, flatten, dense<1>>> net;
#else
    network<shape<10, 4>, seq<conv1d<8, 5>, relu, flatten, dense<1>>> net;
#endif
    return int(net.parameters().size() == 0);
}
