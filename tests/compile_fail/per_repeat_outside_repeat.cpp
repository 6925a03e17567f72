// per_repeat{layer} outside a repeat<N>(block): there is no application to take its own parameters for.
#include <helix/helix.hpp>
#include <helix/nn/repeat.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<5, 8>, seq<dense<8>, per_repeat<layer_norm>>> net;
#else
    network<shape<5, 8>, repeated<2, seq<dense<8>, per_repeat<layer_norm>>>> net;
#endif
    return int(net.parameters().size() == 0);
}
