#include "device/device.hpp"
#include "pipeline/runs.hpp"

#include "evaluate/curve_json.hpp"

#include <chrono>
#include <cstdio>

#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "train/checkpoint.hpp"
#include "train/model_variants.hpp"
#include "train/trainer.hpp"

namespace epiann {
namespace {


template <class Variant>
nlohmann::json variant_json() {
    return {{"name", Variant::name},
            {"enhancer_window", Variant::enhancer_window},
            {"promoter_window", Variant::promoter_window},
            {"filters", Variant::sizes.filters}};
}

int thread_count(int threads) { return threads > 0 ? threads : helix::cpu_context::default_threads(); }

// Says on stderr, once, how the work is spread when there is more than one rank.
void announce(communicator& comm, int threads, const char* what) {
    if (comm.size() > 1 && comm.root())
        std::fprintf(stderr, "%s on %d MPI ranks, %d thread%s each\n", what, comm.size(), thread_count(threads),
                     thread_count(threads) == 1 ? "" : "s");
}

}  // namespace

checkpoint_info read_checkpoint_info(const std::string& checkpoint) {
    const auto meta = read_checkpoint_metadata(checkpoint);
    try {
        checkpoint_info info;
        info.model = meta.at("model").at("name");
        info.enhancer_window = number_at<long long>(meta.at("model"), "enhancer_window");
        info.promoter_window = number_at<long long>(meta.at("model"), "promoter_window");
        info.split.kind = meta.at("split").at("kind");
        info.split.fold = number_at<int>(meta.at("split"), "fold");
        info.split.seed = number_at<std::uint64_t>(meta.at("split"), "seed");
        info.scaler = coordinate_scaler::from_json(meta.at("coordinates"));
        return info;
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(checkpoint, 0, std::string("incomplete epiann metadata: ") + e.what());
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
    r.seed = number_at<std::uint64_t>(j, "seed");
    r.threads = number_at<int>(j, "threads");
    return r;
}

train_request read_run_request(const std::filesystem::path& run_dir) {
    const auto path = run_dir / "run.json";
    std::ifstream in(path);
    if (!in) throw input_error_at(path.string(), 0, "cannot open: is " + run_dir.string() + " a training run?");
    try {
        return train_request::from_json(nlohmann::json::parse(in));
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(path.string(), 0, std::string("not a valid run description: ") + e.what());
    }
}

train_summary run_training(const train_request& r, bool resume) {
    return with_model_variant(r.model, [&]<class Variant>() {
        namespace fs = std::filesystem;
        const auto started = std::chrono::steady_clock::now();
        communicator& comm = world();
        announce(comm, r.threads, "training");
        // The CUDA dropout kernel draws by position in the rank's own share, not in the global batch (docs/06-scaling.md).
        if (parse_device(r.device) == device_kind::cuda && comm.size() > 1)
            throw input_error("training with --device cuda on several MPI ranks is not supported yet: "
                              "train on one rank, or on the CPU; prediction and evaluation may use both");
        const fs::path run = r.out;
        fs::create_directories(run);
        dataset d = load_dataset(r.genome, r.pairs, r.split, Variant::enhancer_window, Variant::promoter_window);
        d.windows.augmentation_offsets = window_options::augmentation(Variant::augment_first, Variant::augment_step, 20);
        d.windows.augment_negatives = r.augment_negatives;
        if (comm.root()) {
            write_split((run / "split.tsv").string(), *d.s, d.pairs);
            helix::write_file_atomically(run / "run.json", r.to_json().dump(2) + "\n");
        }
        auto training = d.examples(pair_set::train, true);
        auto validation = d.examples(pair_set::validation, false, r.validation_limit, r.seed);
        if (validation->size() == 0) throw input_error("the split leaves no validation pairs");
        const coordinate_scaler scaler = training->fit_scaler();
        training->set_scaler(scaler);
        validation->set_scaler(scaler);
        const balanced_plan plan(*training, r.seed, r.batch_positives, r.batch_negatives, r.steps_per_epoch);
        if (comm.root())
            std::fprintf(stderr,
                     "training the %s model (%zu x %zu bp windows) on %zu examples (%zu pairs; %s shifted 20 times), "
                     "%zu batches per epoch; validation: %zu pairs\n",
                     Variant::name, std::size_t(Variant::enhancer_window), std::size_t(Variant::promoter_window), training->size(),
                     d.s->indices(pair_set::train).size(), r.augment_negatives ? "all" : "positives",
                     plan.batches_per_epoch(), validation->size());

        train_options o;
        o.max_epochs = r.epochs;
        o.patience = r.patience;
        o.learning_rate = r.learning_rate;
        o.dropout = r.dropout;
        o.init = r.init;
        o.seed = r.seed;
        o.threads = thread_count(r.threads);
        o.run_dir = run;
        o.resume = resume;
        o.metadata = d.describe();
        o.metadata["model"] = variant_json<Variant>();
        o.metadata["split"] = r.split.to_json();
        o.metadata["coordinates"] = scaler.to_json();
        o.metadata["seed"] = r.seed;
        o.metadata["train"] = {{"learning_rate", r.learning_rate}, {"dropout", r.dropout}, {"init", r.init}, {"augment_negatives", r.augment_negatives},
                               {"augmentation", {Variant::augment_first, Variant::augment_step, 20}},
                               {"batch_positives", r.batch_positives}, {"batch_negatives", r.batch_negatives},
                               {"steps_per_epoch", r.steps_per_epoch}, {"validation_limit", r.validation_limit}};
        auto net = std::make_unique<typename Variant::network>(
            epiann_spec<Variant::enhancer_window, Variant::promoter_window, Variant::sizes>(r.dropout));
        const auto result = with_device(parse_device(r.device), *net,
                                        [&](auto& on_device) { return train(on_device, o, *training, plan, *validation, comm); });
        train_summary s;
        s.epochs = result.history.size();
        s.best_epoch = result.best_epoch;
        s.best_validation_auroc = result.best_validation_auroc;
        for (const auto& h : result.history) s.examples += h.examples;
        s.model_path = result.model_path;
        s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return s;
    });
}

nlohmann::json evaluation_result::to_json() const {
    auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    return {{"pairs", report.count},
            {"positives", report.positives},
            {"positive_rate", report.positive_rate},
            {"auroc", finite(report.auroc)},
            {"aupr", finite(report.aupr)},
            {"f1_at_0.5", report.f1_at_half},
            {"best_f1", report.best.f1},
            {"best_f1_threshold", report.best.threshold},
            {"roc", curve_json(roc_curve(probabilities, labels))},
            {"pr", curve_json(pr_curve(probabilities, labels))}};
}

evaluation_result run_evaluation(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 const std::optional<split_request>& split, int threads, const std::string& device) {
    const checkpoint_info info = read_checkpoint_info(checkpoint);
    return with_model_variant(info.model, [&]<class Variant>() {
        dataset d = load_dataset(genome, pairs, split ? *split : info.split, Variant::enhancer_window, Variant::promoter_window);
        auto test = d.examples(pair_set::test, false);
        if (test->size() == 0) throw input_error("the split has no test pairs");
        test->set_scaler(info.scaler);
        auto net = std::make_unique<typename Variant::network>(
            epiann_spec<Variant::enhancer_window, Variant::promoter_window, Variant::sizes>(0.2f));
        load_model(checkpoint, *net);
        helix::cpu_context ctx(thread_count(threads));
        communicator& comm = world();
        announce(comm, threads, "evaluation");
        evaluation_result r;
        r.probabilities = with_device(parse_device(device), *net, [&](auto& on_device) {
            return predict_probabilities(on_device, ctx, *test, 64, {}, comm, scores_on::root);
        });
        if (!comm.root()) return r;
        for (std::size_t i = 0; i < test->size(); ++i) {
            r.pairs.push_back(test->item(i).pair);
            r.labels.push_back(test->label(i));
        }
        r.report = classify(r.probabilities, r.labels);
        return r;
    });
}

std::vector<double> run_prediction(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                   int threads, const std::string& device) {
    const checkpoint_info info = read_checkpoint_info(checkpoint);
    return with_model_variant(info.model, [&]<class Variant>() {
        dataset d = load_dataset(genome, pairs, std::nullopt, Variant::enhancer_window, Variant::promoter_window);
        auto all = d.all_pairs();
        all->set_scaler(info.scaler);
        auto net = std::make_unique<typename Variant::network>(
            epiann_spec<Variant::enhancer_window, Variant::promoter_window, Variant::sizes>(0.2f));
        load_model(checkpoint, *net);
        helix::cpu_context ctx(thread_count(threads));
        communicator& comm = world();
        announce(comm, threads, "prediction");
        return with_device(parse_device(device), *net, [&](auto& on_device) {
            return predict_probabilities(on_device, ctx, *all, 64, {}, comm, scores_on::root);
        });
    });
}

}  // namespace epiann
