// embedding<65, 8> fed one-hot DNA <20, 4> (it takes token ids <length>; kmer_tokens<3> makes them).
#include <helix/helix.hpp>
#include <helix/layers/embedding/embedding.hpp>
#include <helix/layers/embedding/kmer_tokens.hpp>
using namespace helix;
int main() {
#ifdef HELIX_SHOULD_FAIL
    network<shape<20, 4>, seq<embedding<65, 8>>> net;
#else
    network<shape<20, 4>, seq<kmer_tokens<3>, embedding<65, 8>>> net;
#endif
    return int(net.parameters().size() == 0);
}
