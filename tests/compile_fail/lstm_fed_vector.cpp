// lstm<8> fed a vector (it reads a sequence: <length, channels>).
#include <helix/layers/recurrent/lstm.hpp>
#include <helix/nn/network.hpp>
#include <helix/nn/seq.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<16>, seq<lstm<8>>> net;
#else
    network<shape<16, 1>, seq<lstm<8>>> net;
#endif
    return int(net.parameters().size() == 0);
}
