// sinusoidal_positions fed a vector <16> (it takes a sequence of vectors <length, channels>).
#include <helix/helix.hpp>
#include <helix/layers/embedding/positions.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<16>, seq<sinusoidal_positions>> net;
#else
    network<shape<16, 1>, seq<sinusoidal_positions>> net;
#endif
    return int(net.parameters().size() != 0);
}
