// dense<4> fed a pair of tensors (it takes one; twin<> applies it to both halves).
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<8>, shape<8>>, seq<dense<4>>> net;
#else
    network<pair_of<shape<8>, shape<8>>, seq<twin<dense<4>>>> net;
#endif
    return int(net.parameters().size() == 0);
}
