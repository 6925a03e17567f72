// epiann compare: several models trained on one data set under the same split, example budget and seed, each in
// its own process (so that its peak memory is its own), then evaluated on the split's test pairs beside the leak
// canaries and the marginal-motif baseline on the same pairs (pipeline/audit.hpp).
// Writes OUT/compare.tsv, OUT/compare.json and OUT/compare.md (the report section: the table and what it says), and
// every run under OUT/<split>/<model>/ (the run's files, evaluation.json, train.log).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/dataset.hpp"

namespace epiann {

struct compare_request {
    std::string genome, pairs, out, motifs, baseline_motifs;
    std::vector<std::string> models;
    std::vector<split_request> splits;
    std::size_t examples = 20000;  // training examples per model (epochs x steps x batch)
    std::size_t epochs = 4, validation_limit = 2000, batch = 64;
    std::uint64_t seed = 1;
    int threads = 0;
    bool overwrite = false;
    std::string executable;  // this program (the runs are its `train` and `evaluate`); default /proc/self/exe
};

struct compare_row {
    std::string split, model, architecture, size;
    double auroc = 0, aupr = 0;
    std::size_t parameters = 0, examples = 0;
    double examples_per_second = 0, wall_seconds = 0, peak_mib = 0;
};

struct compare_result {
    std::vector<compare_row> rows;
    nlohmann::json audit;  // canaries and baseline per split (audit_result::to_json, curves dropped)
    std::string markdown;  // compare.md
};

compare_result run_compare(const compare_request& request);

}  // namespace epiann
