// attention_pooling fed a pair of tensors (it pools one; twin<> pools both halves with one set of weights).
#include <helix/helix.hpp>
#include <helix/layers/attention/attention_pooling.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<10, 8>, shape<6, 8>>, seq<attention_pooling<4>, dense<1>>> net;
#else
    network<pair_of<shape<10, 8>, shape<6, 8>>, seq<twin<attention_pooling<4>>, twin<dense<1>>>> net;
#endif
    return int(net.parameters().size() == 0);
}
