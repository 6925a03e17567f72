// twin<> fed one tensor (it applies one layer to both halves of a pair).
#include <helix/helix.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<8>, seq<twin<dense<4>>>> net;
#else
    network<shape<8>, seq<dense<4>>> net;
#endif
    return int(net.parameters().size() == 0);
}
