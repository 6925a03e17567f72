// additive_cross_attention fed one tensor (it takes a pair: queries and keys).
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<10, 8>, seq<additive_cross_attention<4>>> net;
#else
    network<pair_of<shape<10, 8>, shape<6, 8>>, seq<additive_cross_attention<4>>> net;
#endif
    return int(net.parameters().size() == 0);
}
