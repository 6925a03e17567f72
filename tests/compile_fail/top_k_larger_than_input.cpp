// top_k_pool<K> with K larger than its input.
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<4, 5>, seq<top_k_pool<32>>> net;
#else
    network<shape<4, 5>, seq<top_k_pool<8>>> net;
#endif
    return int(net.parameters().size() == 0);
}
