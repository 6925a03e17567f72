// What a training run is asked for and what a checkpoint says it is: run.json and the checkpoint's metadata, read
// and checked. Apart from runs.cpp (which trains, evaluates and predicts through the model catalog) so that the
// parsers and their tests (fuzz_regression_test, the fuzzers) do not compile every model.
#include <fstream>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "pipeline/runs.hpp"
#include "train/checkpoint.hpp"

namespace epiann {

void check_request(const train_request& r, const std::string& where) {
    auto refuse = [&](const std::string& field, const std::string& expected) {
        throw input_error(where + ": " + field + " must be " + expected);
    };
    if (r.epochs < 1) refuse("epochs", "at least 1");
    if (r.patience < 1) refuse("patience", "at least 1");
    if (r.batch_positives < 1) refuse("batch_positives", "at least 1");
    if (r.batch_negatives < 1) refuse("batch_negatives", "at least 1");
    if (!(r.learning_rate >= 1e-30f && r.learning_rate <= 1e30f)) refuse("learning_rate", "from 1e-30 to 1e30");
    if (!(r.dropout >= 0 && r.dropout < 1)) refuse("dropout", "from 0 to below 1");
    if (r.threads < 0) refuse("threads", "0 (all cores) or more");
    if (!r.init.empty() && r.init != "paper" && r.init != "pytorch" && r.init != "keras")
        refuse("init", "paper, pytorch or keras (empty: the model's own)");
}

checkpoint_info read_checkpoint_info(const std::string& checkpoint) {
    const auto meta = read_checkpoint_metadata(checkpoint);
    if (meta.contains("epochs_done"))
        throw input_error_at(checkpoint, 0, "is a training state (what --resume continues), not a model: give the run's "
                                            "model.safetensors");
    try {
        checkpoint_info info;
        info.model = meta.at("model").at("name");
        info.enhancer_window = number_at<long long>(meta.at("model"), "enhancer_window");
        info.promoter_window = number_at<long long>(meta.at("model"), "promoter_window");
        info.split.kind = meta.at("split").at("kind");
        info.split.fold = number_at<int>(meta.at("split"), "fold");
        info.split.seed = number_at<std::uint64_t>(meta.at("split"), "seed");
        info.split.file = meta.at("split").value("file", std::string());  // trained on a split file: that file
        info.scaler = coordinate_scaler::from_json(meta.at("coordinates"));
        info.metadata = meta;
        return info;
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(checkpoint, 0, "incomplete epiann metadata: " + json_problem(e));
    }
}

nlohmann::json train_request::to_json() const {
    return {{"genome", genome},           {"pairs", pairs},
            {"model", model},             {"out", out},
            {"split", split.to_json()},   {"split_file", split.file},
            {"epochs", epochs},           {"patience", patience},
            {"steps_per_epoch", steps_per_epoch}, {"validation_limit", validation_limit},
            {"batch_positives", batch_positives}, {"batch_negatives", batch_negatives},
            {"learning_rate", learning_rate},     {"dropout", dropout},   {"init", init}, {"augment_negatives", augment_negatives},
            {"embedding", embedding},
            {"seed", seed},               {"threads", threads}};
}

train_request train_request::from_json(const nlohmann::json& j) {
    train_request r;
    r.genome = j.at("genome");
    r.pairs = j.at("pairs");
    r.model = j.at("model");
    r.out = j.at("out");
    r.split.kind = j.at("split").at("kind");
    r.split.fold = number_at<int>(j.at("split"), "fold");
    r.split.seed = number_at<std::uint64_t>(j.at("split"), "seed");
    r.split.file = j.at("split_file");
    r.epochs = number_at<std::size_t>(j, "epochs");
    r.patience = number_at<std::size_t>(j, "patience");
    r.steps_per_epoch = number_at<std::size_t>(j, "steps_per_epoch");
    r.validation_limit = number_at<std::size_t>(j, "validation_limit");
    r.batch_positives = number_at<std::size_t>(j, "batch_positives");
    r.batch_negatives = number_at<std::size_t>(j, "batch_negatives");
    r.learning_rate = number_at<float>(j, "learning_rate");
    r.dropout = number_at<float>(j, "dropout");
    r.init = j.value("init", std::string("paper"));
    r.augment_negatives = j.value("augment_negatives", false);
    r.embedding = j.value("embedding", std::string());
    r.seed = number_at<std::uint64_t>(j, "seed");
    r.threads = number_at<int>(j, "threads");
    return r;
}

train_request read_run_request(const std::filesystem::path& run_dir) {
    const auto path = run_dir / "run.json";
    std::ifstream in(path);
    if (!in) throw input_error_at(path.string(), 0, "cannot open: is " + run_dir.string() + " a training run?");
    train_request r;
    try {
        r = train_request::from_json(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(path.string(), 0, "not a valid run description: " + json_problem(e));
    }
    check_request(r, path.string());
    r.out = run_dir.string();  // the run is the one in run_dir, wherever it was started
    return r;
}

}  // namespace epiann
