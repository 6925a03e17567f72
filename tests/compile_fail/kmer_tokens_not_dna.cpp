// kmer_tokens<3> fed <20, 5> (it takes one-hot DNA <length, 4>).
#include <helix/helix.hpp>
#include <helix/layers/embedding/kmer_tokens.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<20, 5>, seq<kmer_tokens<3>>> net;
#else
    network<shape<20, 4>, seq<kmer_tokens<3>>> net;
#endif
    return int(net.parameters().size() != 0);
}
