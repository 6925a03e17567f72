// batch_norm on a rank-3 input (it takes <channels> or <length, channels>, as nn.BatchNorm1d).
#include <helix/helix.hpp>
#include <helix/layers/norm/batch_norm.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<3, 5, 4>, seq<batch_norm>> net;
#else
    network<shape<15, 4>, seq<batch_norm>> net;
#endif
    return int(net.parameters().size() != 16);
}
