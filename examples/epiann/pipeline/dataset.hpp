// dataset: everything a command needs to read examples: the genome, the pairs, their split, and the example sets of
// each side, with windows sized for the model variant. Built once per command from paths.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/examples.hpp"
#include "data/pairs.hpp"
#include "data/splits.hpp"
#include "genome/genome.hpp"

namespace epiann {

struct split_request {
    std::string kind = "chromosome";  // paper or chromosome
    int fold = 0;
    std::uint64_t seed = 1;
    std::string file;  // a split file to read instead of making one

    nlohmann::json to_json() const { return {{"kind", kind}, {"fold", fold}, {"seed", seed}}; }
};

// How a `limit` picks its subset: keeping each class's share, or as many positive as negative pairs (as far as the
// smaller class goes), for costly per-pair work whose figures are about positives.
enum class subset_kind { stratified, balanced };

struct dataset {
    std::unique_ptr<genome> g;
    pair_file pairs;
    std::optional<split> s;
    window_options windows;

    // Examples of one side; training positives augmented when `augment`. `limit` > 0 keeps a seeded subset of at most
    // `limit` examples (validation during training, for speed).
    std::unique_ptr<window_examples> examples(pair_set side, bool augment, std::size_t limit = 0, std::uint64_t seed = 1,
                                              subset_kind kind = subset_kind::stratified) const;
    // One centred example per pair, in file order (prediction); `limit` > 0 keeps a seeded subset.
    std::unique_ptr<window_examples> all_pairs(std::size_t limit = 0, std::uint64_t seed = 1,
                                               subset_kind kind = subset_kind::stratified) const;

    nlohmann::json describe() const;  // genome and pair file identity, for checkpoints
};

dataset load_dataset(const std::string& genome_path, const std::string& pairs_path, const std::optional<split_request>& split,
                     long long enhancer_window, long long promoter_window);

}  // namespace epiann
