// add fed one tensor (it sums the two halves of a pair; branches<> makes a pair from one tensor).
#include <helix/helix.hpp>
#include <helix/layers/merge/pairwise.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<8>, seq<dense<4>, add>> net;
#else
    network<shape<8>, seq<branches<dense<4>, dense<4>>, add>> net;
#endif
    return int(net.parameters().size() == 0);
}
