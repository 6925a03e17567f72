// Splits of a pair file into training, validation and test sets, written to a file and read back so that any run
// can be repeated exactly.
//   paper       the EPIANN paper's stratified random 90/10 (test = 10 % of positives and 10 % of negatives, seeded);
//               validation = 10 % of the remaining training pairs, stratified the same way. This split leaks
//               (neighbouring enhancer tiles and shared promoters fall on both sides): report the canaries beside it.
//   chromosome  whole chromosomes held out: fold k of `chromosome_folds` is the test set, fold (k + 1) mod 5 the
//               validation set, the other folds train. A pair is test if either element lies on a test chromosome,
//               else validation if either lies on a validation chromosome, else training; chromosomes in no fold
//               (chrY, chrM, unplaced contigs) train.
// Augmented copies of a pair are made from the split (data/examples.hpp), never split themselves, so they always
// sit on the pair's side.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/pairs.hpp"

namespace epiann {

enum class pair_set : std::uint8_t { train, validation, test };
const char* set_name(pair_set s);

struct split {
    std::string kind;  // "paper" or "chromosome"
    int fold = 0;
    std::uint64_t seed = 0;
    std::uint64_t pairs_checksum = 0;
    std::vector<pair_set> sets;  // one per pair, in file order

    std::vector<std::size_t> indices(pair_set s) const;
};

inline const std::array<std::vector<std::string>, 5> chromosome_folds = {{
    {"1", "10", "15", "21"},
    {"19", "3", "4", "7", "X"},
    {"13", "17", "2", "22", "9"},
    {"12", "14", "16", "18", "20"},
    {"11", "5", "6", "8"},
}};

split paper_split(const pair_file& pairs, std::uint64_t seed);
split chromosome_split(const pair_file& pairs, int fold);
// kind "paper" or "chromosome"; input_error for anything else or a fold outside 0-4.
split make_split(const pair_file& pairs, const std::string& kind, int fold, std::uint64_t seed);

void write_split(const std::string& path, const split& s, const pair_file& pairs);
// Reads a split file; input_error when it was made for another pair file (checksum or count differ).
split read_split(const std::string& path, const pair_file& pairs);

}  // namespace epiann
