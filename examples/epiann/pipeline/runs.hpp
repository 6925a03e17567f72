// The application's jobs, shared by the CLI commands and `epiann demo`:
//   run_training    trains a model variant on a split (train/trainer.hpp), writing RUN/run.json (the request, so
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
    std::string init = "paper";
    bool augment_negatives = false;  // shift training negatives like positives (see data/windows.hpp)
    std::uint64_t seed = 1;
    int threads = 0;
    std::string device = "cpu";  // cpu or cuda (device/device.hpp); not stored in run.json: a run resumes anywhere

    nlohmann::json to_json() const;
    static train_request from_json(const nlohmann::json& j);
};

struct train_summary {
    std::size_t epochs = 0, best_epoch = 0, examples = 0;
    double best_validation_auroc = 0, seconds = 0;
    std::filesystem::path model_path;
};

// resume: continue RUN from its state file (the request is read from RUN/run.json).
train_summary run_training(const train_request& request, bool resume);
train_request read_run_request(const std::filesystem::path& run_dir);

// What a checkpoint says about its model: variant, windows, split and coordinate scaling.
struct checkpoint_info {
    std::string model;
    long long enhancer_window = 0, promoter_window = 0;
    split_request split;
    coordinate_scaler scaler;
};
checkpoint_info read_checkpoint_info(const std::string& checkpoint);

struct evaluation_result {
    classification_report report;
    std::vector<std::size_t> pairs;     // indices into the pair file of the test pairs
    std::vector<double> probabilities;  // one per test pair
    std::vector<int> labels;
    nlohmann::json to_json() const;
};

// split: when empty, the split stored in the checkpoint.
evaluation_result run_evaluation(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 const std::optional<split_request>& split, int threads = 0,
                                 const std::string& device = "cpu");

std::vector<double> run_prediction(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                   int threads = 0, const std::string& device = "cpu");

}  // namespace epiann
