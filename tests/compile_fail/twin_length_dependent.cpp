// twin<> over a layer whose parameters depend on the input length, on halves of different lengths.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<10, 4>, shape<12, 4>>, seq<twin<seq<flatten, dense<2>>>>> net;
#else
    network<pair_of<shape<10, 4>, shape<10, 4>>, seq<twin<seq<flatten, dense<2>>>>> net;
#endif
    return int(net.parameters().size() == 0);
}
