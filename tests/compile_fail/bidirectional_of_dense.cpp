// bidirectional of a layer that has no reversed direction (it takes lstm<H, out> or gru<H, out>).
#include <helix/layers/dense.hpp>
#include <helix/layers/recurrent/gru.hpp>
#include <helix/nn/bidirectional.hpp>
#include <helix/nn/network.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 4>, bidirectional<dense<4>>> net;
#else
    network<shape<10, 4>, bidirectional<gru<4>>> net;
#endif
    return int(net.parameters().size() == 0);
}
