// A convolution after flatten: its input has rank 1, not <length, channels>.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 4>, seq<flatten, conv1d<8, 3>>> net;
#else
    network<shape<10, 4>, seq<conv1d<8, 3>, flatten>> net;
#endif
    return int(net.parameters().size() == 0);
}
