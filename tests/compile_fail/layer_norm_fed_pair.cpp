// layer_norm fed a pair of tensors (it takes one; twin<> applies it to both halves).
#include <helix/helix.hpp>
#include <helix/layers/norm/layer_norm.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<6, 4>, shape<5, 4>>, seq<layer_norm>> net;
#else
    network<pair_of<shape<6, 4>, shape<5, 4>>, seq<twin<layer_norm>>> net;
#endif
    return int(net.parameters().size() != 8);
}
