// genome: read access to a reference genome by path, whatever its format.
//
// Represents: the chromosomes of one assembly and their sequence. open() picks the reader from the file:
// UCSC .2bit, FASTA with a samtools .fai index beside it, or bgzip-compressed FASTA (.fai and .gzi beside it).
// Requires: a FASTA index (`samtools faidx genome.fa`); a missing or stale one is an input_error saying how to make it.
// Guarantees: sequence() returns upper-case A, C, G, T and N only (soft-masked lower case becomes upper case,
// other IUPAC codes become N) for the 0-based half-open interval [start, end); it is safe to call from several
// threads at once; a whole genome is never read into memory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epiann {

class genome {
public:
    // Throws input_error naming the path for a missing, empty, truncated or unindexed file.
    static std::unique_ptr<genome> open(const std::string& path);

    virtual ~genome() = default;

    const std::string& path() const noexcept { return path_; }
    // Chromosome names in file order.
    virtual const std::vector<std::string>& chromosomes() const noexcept = 0;
    // Length of a chromosome, or nothing when the genome has no such chromosome.
    virtual std::optional<long long> length(std::string_view chromosome) const = 0;
    // Throws input_error for an unknown chromosome, start > end, or end past the chromosome's end.
    virtual std::string sequence(std::string_view chromosome, long long start, long long end) const = 0;

protected:
    explicit genome(std::string path) : path_(std::move(path)) {}

private:
    std::string path_;
};

// Writes L x 4 floats (row-major, channels A, C, G, T) for a sequence of length L; N and anything else is all zeros.
void one_hot(std::string_view sequence, float* out);

}  // namespace epiann
