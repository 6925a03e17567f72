// train(): EPIANN's training recipe on any example_set, with honest model selection and exact resumption.
//
// Recipe (Mao et al. 2017): Adam (lr 1e-3), loss 10 x BCE(logit) + MSE(enhancer coordinates) + MSE(promoter
// coordinates), dropout 0.2, batches from the training_plan (32 positives + 32 negatives in the paper), weights from
// a truncated normal (sd 0.1) with biases 0.1 as the original TensorFlow code. After each epoch the validation
// set (never the test set) is scored; model.safetensors keeps the epoch with the best validation AUROC, and training
// stops after `patience` epochs without improvement. Every epoch also writes state.safetensors (weights, Adam
// moments, the dropout generator's position) and log.jsonl, all atomically: a run killed at any moment resumes
// from its last complete epoch and ends exactly as an uninterrupted run would.
// A non-finite loss, gradient or weight stops training with training_diverged naming the epoch and step; nothing
// is written for the failing epoch, so the run's files stay those of the last completed one.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <helix/helix.hpp>
#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "evaluate/metrics.hpp"
#include "train/checkpoint.hpp"
#include "train/example_set.hpp"
#include "train/progress.hpp"

namespace epiann {

struct train_options {
    std::size_t max_epochs = 40;
    std::size_t patience = 5;  // epochs without a better validation AUROC before stopping
    float learning_rate = 1e-3f;
    float dropout = 0.2f;
    float label_loss_weight = 10;  // the paper's 10 x BCE
    // "paper": truncated normal sd 0.1, biases 0.1 (the original TensorFlow code); "pytorch": U(+-1/sqrt(fan_in))
    std::string init = "paper";
    std::uint64_t seed = 1;
    int threads = 0;  // 0: OpenMP's default
    std::size_t eval_batch = 64;
    std::filesystem::path run_dir;
    bool resume = false;
    // Stored in both checkpoints; on resume it must equal the stored one (same data, split, model, seed).
    nlohmann::json metadata;
    // Test hook, called after each backward pass with the 1-based epoch and step and the gradients (fault injection).
    std::function<void(std::size_t epoch, std::size_t step, std::span<float> gradients)> after_backward;
};

struct epoch_record {
    std::size_t epoch = 0, steps = 0, examples = 0;
    double train_loss = 0, validation_loss = 0, validation_auroc = 0, validation_aupr = 0, seconds = 0;
    bool best = false;
};

inline void to_json(nlohmann::json& j, const epoch_record& r) {
    j = {{"epoch", r.epoch},
         {"steps", r.steps},
         {"examples", r.examples},
         {"train_loss", r.train_loss},
         {"validation_loss", r.validation_loss},
         {"validation_auroc", std::isnan(r.validation_auroc) ? nlohmann::json() : nlohmann::json(r.validation_auroc)},
         {"validation_aupr", std::isnan(r.validation_aupr) ? nlohmann::json() : nlohmann::json(r.validation_aupr)},
         {"seconds", r.seconds},
         {"best", r.best}};
}

inline void from_json(const nlohmann::json& j, epoch_record& r) {
    r.epoch = j.at("epoch");
    r.steps = j.at("steps");
    r.examples = j.at("examples");
    r.train_loss = j.at("train_loss");
    r.validation_loss = j.at("validation_loss");
    r.validation_auroc = j.at("validation_auroc").is_null() ? NAN : j.at("validation_auroc").get<double>();
    r.validation_aupr = j.at("validation_aupr").is_null() ? NAN : j.at("validation_aupr").get<double>();
    r.seconds = j.at("seconds");
    r.best = j.at("best");
}

// The loop's position as state.safetensors stores it; input_error naming the file when a field is missing or
// of the wrong type (a state file from another program or a damaged one).
struct resume_point {
    std::size_t epochs_done = 0, stale_epochs = 0, best_epoch = 0;
    double best_validation_auroc = -1;
    std::uint64_t rng_position = 0;
    std::vector<epoch_record> history;
    nlohmann::json metadata;
};

inline resume_point parse_resume_point(const nlohmann::json& state, const std::string& path) {
    resume_point r;
    try {
        r.metadata = state.at("metadata");
        r.epochs_done = state.at("epochs_done").get<std::size_t>();
        r.stale_epochs = state.at("stale_epochs").get<std::size_t>();
        r.best_epoch = state.at("best_epoch").get<std::size_t>();
        r.best_validation_auroc = state.at("best_validation_auroc").get<double>();
        r.rng_position = state.at("rng_position").get<std::uint64_t>();
        r.history = state.at("history").get<std::vector<epoch_record>>();
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(path, 0, std::string("not an epiann training state: ") + e.what());
    }
    if (r.history.size() != r.epochs_done || r.best_epoch > r.epochs_done)
        throw input_error_at(path, 0, "inconsistent training state: " + std::to_string(r.epochs_done) + " epochs done, " +
                                          std::to_string(r.history.size()) + " in the history, best epoch " +
                                          std::to_string(r.best_epoch));
    return r;
}

// "NAME[i] = nan" for the first non-finite value of a parameter-sized arena; empty when every value is finite.
template <class Net>
std::string first_non_finite(const Net& net, std::span<const float> values) {
    std::size_t i = 0;
    while (i < values.size() && std::isfinite(values[i])) ++i;
    if (i == values.size()) return {};
    const char* what = std::isnan(values[i]) ? "nan" : values[i] > 0 ? "inf" : "-inf";
    for (const auto& p : net.parameter_info())
        if (i >= p.offset && i < p.offset + p.size) return p.name + "[" + std::to_string(i - p.offset) + "] = " + what;
    return "element " + std::to_string(i) + " = " + what;
}

struct train_result {
    std::vector<epoch_record> history;
    std::size_t best_epoch = 0;
    double best_validation_auroc = 0;
    std::filesystem::path model_path;
};

// Batch-sized input and target buffers for a network type.
template <class Net>
struct batch_tensors {
    using enhancer_shape = typename Net::input::first_type;
    using promoter_shape = typename Net::input::second_type;
    helix::tensor<float, enhancer_shape> enhancer;
    helix::tensor<float, promoter_shape> promoter;
    helix::tensor<float, helix::shape<1>> label;
    helix::tensor<float, helix::shape<2>> enhancer_coords, promoter_coords;

    void fill(const example_set& set, std::span<const std::size_t> items) {
        const std::size_t n = items.size();
        if (enhancer.batch() != n) {
            enhancer = decltype(enhancer)(n);
            promoter = decltype(promoter)(n);
            label = decltype(label)(n);
            enhancer_coords = decltype(enhancer_coords)(n);
            promoter_coords = decltype(promoter_coords)(n);
        }
        set.fill(items, {enhancer.data(), promoter.data(), label.data(), enhancer_coords.data(), promoter_coords.data()});
    }
    auto input() const { return helix::make_pair_view(enhancer.cview(), promoter.cview()); }
};

// EPIANN's loss on the latest forward pass; writes the output gradient when `out.gradient` is given.
template <class Net, class Output>
double epiann_loss(const Output& out, const batch_tensors<Net>& b, float label_weight, bool with_gradient) {
    using helix::bce_with_logits;
    using helix::mse;
    if (!with_gradient)
        return bce_with_logits(out.first, b.label.cview(), {}, label_weight) +
               mse(out.second.first, b.enhancer_coords.cview()) + mse(out.second.second, b.promoter_coords.cview());
    return bce_with_logits(out.first, b.label.cview(), out.gradient.first, label_weight) +
           mse(out.second.first, b.enhancer_coords.cview(), out.gradient.second.first) +
           mse(out.second.second, b.promoter_coords.cview(), out.gradient.second.second);
}

struct scored_set {
    std::vector<double> probabilities;
    double mean_loss = 0;  // over batches; 0 when the set has no labels
};

namespace detail {
// Runs `items` of a set (all of it when empty) through the network in eval mode, batch by batch, appending each
// pair's interaction probability to `probabilities` and calling on_batch(out, batch_tensors, chunk) after each batch.
// `with_coordinates` asks for the auxiliary coordinate heads, which only a loss reads.
template <class Net, class OnBatch>
void score_batches(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch,
                   std::vector<std::size_t> items, bool with_coordinates, std::vector<double>& probabilities,
                   OnBatch on_batch) {
    if (items.empty()) {
        items.resize(set.size());
        std::iota(items.begin(), items.end(), std::size_t{0});
    }
    const bool was_training = ctx.training, had_auxiliary = ctx.auxiliary_outputs;
    ctx.training = false;
    ctx.auxiliary_outputs = with_coordinates;
    probabilities.reserve(probabilities.size() + items.size());
    batch_tensors<Net> b;
    for (std::size_t first = 0; first < items.size(); first += batch) {
        const std::span<const std::size_t> chunk(items.data() + first, std::min(batch, items.size() - first));
        b.fill(set, chunk);
        const auto out = net.forward(ctx, b.input());
        for (std::size_t k = 0; k < chunk.size(); ++k) probabilities.push_back(1 / (1 + std::exp(-double(out.first.data()[k]))));
        on_batch(out, b, chunk);
    }
    ctx.training = was_training;
    ctx.auxiliary_outputs = had_auxiliary;
}
}  // namespace detail

// Interaction probabilities and the mean EPIANN loss (coordinate heads included, as in training) for `items` of a
// set (all of it when empty), in eval mode: what validation reports.
template <class Net>
scored_set score(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch, float label_weight,
                 std::vector<std::size_t> items = {}) {
    scored_set result;
    double loss_sum = 0;
    std::size_t batches = 0;
    bool labelled = true;
    detail::score_batches(net, ctx, set, batch, std::move(items), /*with_coordinates=*/true, result.probabilities,
                          [&](const auto& out, const batch_tensors<Net>& b, std::span<const std::size_t> chunk) {
                              for (const std::size_t item : chunk) labelled = labelled && set.label(item) >= 0;
                              if (labelled) loss_sum += epiann_loss<Net>(out, b, label_weight, false);
                              ++batches;
                          });
    result.mean_loss = labelled && batches > 0 ? loss_sum / double(batches) : 0;
    return result;
}

// Interaction probabilities only, for `items` of a set (all of it when empty), in eval mode: evaluation and
// prediction. The coordinate heads are skipped.
template <class Net>
std::vector<double> predict_probabilities(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch,
                                          std::vector<std::size_t> items = {}) {
    std::vector<double> probabilities;
    detail::score_batches(net, ctx, set, batch, std::move(items), /*with_coordinates=*/false, probabilities,
                          [](const auto&, const auto&, const auto&) {});
    return probabilities;
}

template <class Net>
train_result train(Net& net, const train_options& opt, const example_set& training, const training_plan& plan,
                   const example_set& validation) {
    namespace fs = std::filesystem;
    fs::create_directories(opt.run_dir);
    const fs::path state_path = opt.run_dir / "state.safetensors", model_path = opt.run_dir / "model.safetensors",
                   log_path = opt.run_dir / "log.jsonl";
    helix::cpu_context ctx(opt.threads > 0 ? opt.threads : helix::cpu_context::default_threads(), opt.seed);
    helix::adam<float> optimizer(opt.learning_rate);
    train_result result;
    result.model_path = model_path;
    std::size_t first_epoch = 0, stale_epochs = 0;
    result.best_validation_auroc = -1;

    std::vector<int> validation_labels(validation.size());
    for (std::size_t i = 0; i < validation.size(); ++i) validation_labels[i] = validation.label(i);

    if (opt.resume && fs::exists(state_path)) {
        resume_point state = parse_resume_point(load_training_state(state_path, net, optimizer), state_path.string());
        if (state.metadata != opt.metadata)
            throw input_error_at(state_path.string(), 0,
                                 "cannot resume: this run was started with other data, split, model or seed "
                                 "(stored: " + state.metadata.dump() + ")");
        first_epoch = state.epochs_done;
        stale_epochs = state.stale_epochs;
        result.best_epoch = state.best_epoch;
        result.best_validation_auroc = state.best_validation_auroc;
        result.history = std::move(state.history);
        ctx.rng.seek(state.rng_position);
        std::fprintf(stderr, "resuming %s after epoch %zu\n", opt.run_dir.c_str(), first_epoch);
    } else {
        if (opt.init == "pytorch")
            net.init(opt.seed, helix::init::fan_in_uniform{});
        else if (opt.init == "paper")
            net.init(opt.seed, helix::init::truncated_normal{});
        else
            throw input_error("unknown initialisation \"" + opt.init + "\": expected paper or pytorch");
    }

    // The log is rewritten whole from the history (which the state file also holds), so a run killed between its
    // state and its log still ends with a complete log.
    auto write_log = [&] {
        std::string log;
        for (const auto& r : result.history) log += nlohmann::json(r).dump() + "\n";
        helix::write_file_atomically(log_path, log);
    };
    // Throws before anything of the failing epoch is written: the files on disk stay the last completed epoch's.
    auto diverged = [&](std::size_t epoch, std::size_t step, const std::string& what) {
        const std::string kept = epoch > 1 ? "the run's files are left as epoch " + std::to_string(epoch - 1) + " wrote them (" +
                                                 model_path.string() + ", " + state_path.string() + ")"
                                           : "no checkpoint had been written yet";
        char rate[32];
        std::snprintf(rate, sizeof rate, "%g", double(opt.learning_rate));
        throw training_diverged("training diverged at epoch " + std::to_string(epoch) + ", step " + std::to_string(step) +
                                ": " + what + "; " + kept + ". Try a smaller learning rate (it is " + rate + ")");
    };
    progress bar;
    for (std::size_t epoch = first_epoch; epoch < opt.max_epochs && stale_epochs < opt.patience; ++epoch) {
        const auto started = std::chrono::steady_clock::now();
        const auto batches = plan.epoch(epoch);
        bar.start_epoch(epoch + 1, opt.max_epochs, batches.size());
        batch_tensors<Net> b;
        epoch_record record;
        record.epoch = epoch + 1;
        double loss_sum = 0;
        ctx.training = true;
        for (const auto& items : batches) {
            b.fill(training, items);
            const auto out = net.forward(ctx, b.input());
            const double loss = epiann_loss<Net>(out, b, opt.label_loss_weight, true);
            const std::size_t step = record.steps + 1;
            if (!std::isfinite(loss)) diverged(epoch + 1, step, "the loss is " + std::to_string(loss));
            net.zero_grad();
            net.backward(ctx, b.input());
            if (opt.after_backward) opt.after_backward(epoch + 1, step, net.gradients());
            // Checked before the update, so a bad gradient never reaches the weights or Adam's moments.
            if (const auto bad = first_non_finite(net, net.gradients()); !bad.empty())
                diverged(epoch + 1, step, "the gradient of " + bad);
            optimizer.step(net, ctx);
            if (const auto bad = first_non_finite(net, net.parameters()); !bad.empty())
                diverged(epoch + 1, step, "the update overflowed: weight " + bad);
            loss_sum += loss;
            ++record.steps;
            record.examples += items.size();
            bar.step(items.size(), loss);
        }
        record.train_loss = record.steps > 0 ? loss_sum / double(record.steps) : 0;

        const scored_set scored = score(net, ctx, validation, opt.eval_batch, opt.label_loss_weight);
        if (!std::isfinite(scored.mean_loss))
            diverged(epoch + 1, record.steps, "the validation loss is " + std::to_string(scored.mean_loss));
        record.validation_loss = scored.mean_loss;
        record.validation_auroc = auroc(scored.probabilities, validation_labels);
        record.validation_aupr = average_precision(scored.probabilities, validation_labels);
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const double score_now = std::isnan(record.validation_auroc) ? -record.validation_loss : record.validation_auroc;
        if (result.best_epoch == 0 || score_now > result.best_validation_auroc) {
            record.best = true;
            result.best_epoch = record.epoch;
            result.best_validation_auroc = score_now;
            stale_epochs = 0;
            nlohmann::json meta = opt.metadata;
            meta["epoch"] = record.epoch;
            meta["validation"] = record;
            save_model(model_path, net, meta);
        } else {
            ++stale_epochs;
        }
        result.history.push_back(record);

        nlohmann::json state = {{"metadata", opt.metadata},
                                {"epochs_done", epoch + 1},
                                {"stale_epochs", stale_epochs},
                                {"best_epoch", result.best_epoch},
                                {"best_validation_auroc", result.best_validation_auroc},
                                {"rng_position", ctx.rng.position()},
                                {"history", result.history}};
        save_training_state(state_path, net, optimizer, state);
        write_log();

        char summary[160];
        std::snprintf(summary, sizeof summary, "validation AUROC %.4f AUPR %.4f loss %.4f%s", record.validation_auroc,
                      record.validation_aupr, record.validation_loss, record.best ? " (best so far)" : "");
        bar.end_epoch(summary);
    }
    if (result.history.size() > 0 && stale_epochs >= opt.patience)
        std::fprintf(stderr, "stopped early: no better validation AUROC for %zu epochs; best epoch %zu\n", opt.patience,
                     result.best_epoch);
    write_log();
    // Leave the network holding the selected (best) weights.
    if (fs::exists(model_path)) load_model(model_path, net);
    return result;
}

}  // namespace epiann
