// The application's jobs, shared by the CLI commands and `epiann demo`:
//   run_training    trains a model of the catalog (models/catalog.hpp) on a split (train/trainer.hpp), writing RUN/run.json (the request, so
//                   `--resume RUN` needs nothing else), RUN/split.tsv, checkpoints and log.jsonl
//   run_evaluation  scores the test set of the checkpoint's split (or another) with the best model: metrics, plus
//                   the test pairs and their probabilities
//   run_prediction  a probability per pair of any pair file (TargetFinder CSV or BEDPE), in file order
// Under an MPI launcher (train/distributed.hpp) all three run on every rank: training is data parallel; evaluation
// and prediction score shards and return their results on rank 0 only (the other ranks get empty results and
// must not write anything).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evaluate/metrics.hpp"
#include "pipeline/dataset.hpp"

namespace epiann {

struct train_request {
    std::string genome, pairs, model = "paper", out;
    split_request split;
    std::size_t epochs = 40, patience = 5, steps_per_epoch = 0, validation_limit = 0;
    std::size_t batch_positives = 32, batch_negatives = 32;
    float learning_rate = 1e-3f, dropout = 0.2f;
    std::string init;       // paper, pytorch or keras; empty: the model's own (paper for EPIANN, keras otherwise)
    std::string embedding;  // a pre-trained 6-mer matrix (.npy) for the models with k-mer embeddings
    bool augment_negatives = false;  // shift training negatives like positives (see data/windows.hpp)
    std::uint64_t seed = 1;
    int threads = 0;
    std::string device = "cpu";  // cpu or cuda (device/device.hpp); not stored in run.json: a run resumes anywhere
    bool overwrite = false;      // replace a run already in `out` (not stored)

    nlohmann::json to_json() const;
    static train_request from_json(const nlohmann::json& j);
};

struct train_summary {
    std::size_t epochs = 0, best_epoch = 0, examples = 0;
    double best_validation_auroc = 0, seconds = 0;
    std::filesystem::path model_path;
};

// resume: continue the run in request.out from its state file. Without resume, a directory that holds a run already
// is refused unless request.overwrite, which removes that run's files first (two runs never mix in one directory).
// A lock file (RUN/.lock) keeps a second process from training in the same directory at the same time.
train_summary run_training(const train_request& request, bool resume);
// The request stored in RUN/run.json, for the run in run_dir wherever it is now (its `out` becomes run_dir).
train_request read_run_request(const std::filesystem::path& run_dir);
// input_error naming the field when a request holds a value no run can use (0 epochs, a negative learning rate).
void check_request(const train_request& request, const std::string& where);

// What a checkpoint says about its model: variant, windows, split and coordinate scaling.
struct checkpoint_info {
    std::string model;
    long long enhancer_window = 0, promoter_window = 0;
    split_request split;
    coordinate_scaler scaler;
    nlohmann::json metadata;  // all of it (pair file identity, split), read once
};
checkpoint_info read_checkpoint_info(const std::string& checkpoint);

struct evaluation_result {
    pair_file source;                   // the pair file, as read (once)
    std::size_t seen_pairs = 0;         // test pairs the checkpoint was trained or validated on (with allow_seen_pairs)
    classification_report report;
    std::vector<std::size_t> pairs;     // indices into the pair file of the test pairs
    std::vector<double> probabilities;  // one per test pair
    std::vector<int> labels;
    nlohmann::json to_json() const;
};

// split: when empty, the split stored in the checkpoint. A test set holding pairs the checkpoint was trained or
// validated on (another split of its pair file, or another file with the same pairs) is an input_error unless
// allow_seen_pairs; when the checkpoint's pair file cannot be found to check, a warning says so.
evaluation_result run_evaluation(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 const std::optional<split_request>& split, int threads = 0,
                                 const std::string& device = "cpu", bool allow_seen_pairs = false);

struct prediction_result {
    pair_file source;                   // the pairs, as read (once: the file may be a pipe)
    std::vector<double> probabilities;  // one per pair, in file order (rank 0 only under MPI)
};
prediction_result run_prediction(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 int threads = 0, const std::string& device = "cpu");

}  // namespace epiann
