// The halves of the input pair passed to forward in the wrong order: one readable error.
#include <helix/helix.hpp>
using namespace helix;
int main() {
    network<pair_of<shape<8, 4>, shape<6, 4>>, seq<twin<dense<3>>>> net;
    tensor<float, shape<8, 4>> enhancer(2);
    tensor<float, shape<6, 4>> promoter(2);
    cpu_context ctx(1);
#ifdef HELIX_SHOULD_FAIL
    net.forward(ctx, make_pair_view(promoter.cview(), enhancer.cview()));
#else
    net.forward(ctx, make_pair_view(enhancer.cview(), promoter.cview()));
#endif
    return 0;
}
