// pad<2> fed a pair of tensors (it pads one; twin<> pads both halves).
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<8, 4>, shape<6, 4>>, seq<pad<2>>> net;
#else
    network<pair_of<shape<8, 4>, shape<6, 4>>, seq<twin<pad<2>>>> net;
#endif
    return int(net.parameters().size());
}
