// relu fed the pair a twin trunk gives: one error, not one per layer after it.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<30, 4>, shape<20, 4>>, seq<twin<conv1d<8, 5>>, relu, max_pool1d<2>, flatten, dense<1>>> net;
#else
    network<pair_of<shape<30, 4>, shape<20, 4>>, seq<twin<conv1d<8, 5>>, twin<relu>, concat<axis::length>,
                                                      max_pool1d<2>, flatten, dense<1>>> net;
#endif
    return int(net.parameters().size() == 0);
}
