// residual over a layer that changes the shape (x + f(x) needs f(x) shaped like x).
#include <helix/helix.hpp>
#include <helix/nn/residual.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<8>, seq<residual<dense<4>>>> net;
#else
    network<shape<8>, seq<residual<dense<8>>>> net;
#endif
    return int(net.parameters().size() == 0);
}
