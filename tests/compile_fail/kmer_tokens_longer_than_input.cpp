// kmer_tokens<6> on a window of 4 bases (no 6-mer fits).
#include <helix/helix.hpp>
#include <helix/layers/embedding/kmer_tokens.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<4, 4>, seq<kmer_tokens<6>>> net;
#else
    network<shape<6, 4>, seq<kmer_tokens<6>>> net;
#endif
    return int(net.parameters().size() != 0);
}
