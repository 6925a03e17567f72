// repeat<N> of a block that changes the shape (x_{k+1} = block(x_k) feeds each output back in).
#include <helix/helix.hpp>
#include <helix/nn/repeat.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<8>, repeated<3, seq<dense<4>, relu>>> net;
#else
    network<shape<8>, repeated<3, seq<dense<8>, relu>>> net;
#endif
    return int(net.parameters().size() == 0);
}
