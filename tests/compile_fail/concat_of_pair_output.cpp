// concat_of with a layer that gives a pair (each layer must give one tensor; merge the halves first).
#include <helix/helix.hpp>
#include <helix/layers/identity.hpp>
#include <helix/layers/merge/pairwise.hpp>
#include <helix/nn/concat_of.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<pair_of<shape<8>, shape<8>>, seq<concat_of<axis::channels, identity, add>>> net;
#else
    network<pair_of<shape<8>, shape<8>>, seq<concat_of<axis::channels, concat<axis::channels>, add>>> net;
#endif
    return int(net.parameters().size() != 0);
}
