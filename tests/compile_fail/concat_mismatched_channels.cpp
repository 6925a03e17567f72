// concat<axis::length> of halves with different channel counts (joining along the length needs equal channels;
// concat<axis::channels> joins halves of equal length).
#include <helix/helix.hpp>
#include <helix/layers/merge/concat.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<6, 4>, shape<5, 3>>, seq<concat<axis::length>>> net;
#else
    network<pair_of<shape<6, 4>, shape<5, 4>>, seq<concat<axis::length>>> net;
#endif
    return int(net.parameters().size() != 0);
}
