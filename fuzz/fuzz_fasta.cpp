// FASTA with its samtools .fai index (genome/genome.cpp, through htslib's faidx). The input is the FASTA, a NUL
// byte, then the .fai text; every sequence the index names is fetched at its ends and in the middle.
#include <cstring>
#include <filesystem>
#include <string>

#include "common/errors.hpp"
#include "fuzz_genome_reads.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto* nul = static_cast<const std::uint8_t*>(std::memchr(data, 0, size));
    const std::size_t fasta_size = nul ? std::size_t(nul - data) : size;
    const std::string fasta = fuzz::write_input("genome.fa", data, fasta_size);
    if (nul) fuzz::write_file(fasta + ".fai", nul + 1, size - fasta_size - 1);
    else std::filesystem::remove(fasta + ".fai");
    try {
        fuzz::read_every_sequence(*epiann::genome::open(fasta), [](const std::string&, long long) {});
    } catch (const epiann::input_error&) {
    }
    return 0;
}
