// multi_head_attention fed a pair whose halves have different channel counts (queries and keys/values share C).
#include <helix/helix.hpp>
#include <helix/layers/attention/multi_head_attention.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<4, 8>, shape<6, 6>>, seq<multi_head_attention<2>, flatten>> net;
#else
    network<pair_of<shape<4, 8>, shape<6, 8>>, seq<multi_head_attention<2>, flatten>> net;
#endif
    return int(net.parameters().size() == 0);
}
