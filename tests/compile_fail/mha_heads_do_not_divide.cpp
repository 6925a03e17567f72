// multi_head_attention<3> on 8 channels (head_dim = C / Heads needs Heads to divide C; HeadDim picks another size).
#include <helix/helix.hpp>
#include <helix/layers/attention/multi_head_attention.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 8>, seq<multi_head_attention<3>, dense<4>>> net;
#else
    network<shape<10, 8>, seq<multi_head_attention<3, 4>, dense<4>>> net;
#endif
    return int(net.parameters().size() == 0);
}
