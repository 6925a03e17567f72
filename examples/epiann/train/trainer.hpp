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
//
// Data parallel (given a communicator of several ranks): each rank computes a contiguous share of every batch, with
// its loss weighted by its share of the batch so that the one sum of the gradient arena over ranks per step is the
// gradient of the whole batch's mean loss; dropout draws by position in the whole batch. Validation is scored in
// shards and gathered on every rank, so all ranks take the same decisions. Rank 0 alone writes checkpoints and logs;
// on resume every rank reads the same state file. One rank count or another: the same run, up to the order of float
// sums (docs/06-scaling.md).
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
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <helix/helix.hpp>
#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "evaluate/metrics.hpp"
#include "train/checkpoint.hpp"
#include "train/distributed.hpp"
#include "train/example_set.hpp"
#include "train/progress.hpp"

namespace epiann {

struct train_options {
    std::size_t max_epochs = 40;
    std::size_t patience = 5;  // epochs without a better validation AUROC before stopping
    float learning_rate = 1e-3f;
    float dropout = 0.2f;
    float label_loss_weight = 10;  // the paper's 10 x BCE
    // "paper": truncated normal sd 0.1, biases 0.1 (the original TensorFlow code); "pytorch": U(+-1/sqrt(fan_in));
    // "keras": Glorot uniform, biases 0 (Keras' defaults, the other published models' initialisation)
    std::string init = "paper";
    // Called after a fresh initialisation (not on resume): a pre-trained embedding is loaded here.
    std::function<void()> after_init;
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
    double train_seconds = 0;  // of `seconds`, the training steps alone (without validation)
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
         {"train_seconds", r.train_seconds},
         {"best", r.best}};
}

inline void from_json(const nlohmann::json& j, epoch_record& r) {
    r.epoch = number_at<std::size_t>(j, "epoch");
    r.steps = number_at<std::size_t>(j, "steps");
    r.examples = number_at<std::size_t>(j, "examples");
    r.train_loss = number_at<double>(j, "train_loss");
    r.validation_loss = number_at<double>(j, "validation_loss");
    r.validation_auroc = j.at("validation_auroc").is_null() ? NAN : j.at("validation_auroc").get<double>();
    r.validation_aupr = j.at("validation_aupr").is_null() ? NAN : j.at("validation_aupr").get<double>();
    r.seconds = number_at<double>(j, "seconds");
    r.train_seconds = j.contains("train_seconds") ? number_at<double>(j, "train_seconds") : r.seconds;  // older logs
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
        r.epochs_done = number_at<std::size_t>(state, "epochs_done");
        r.stale_epochs = number_at<std::size_t>(state, "stale_epochs");
        r.best_epoch = number_at<std::size_t>(state, "best_epoch");
        r.best_validation_auroc = number_at<double>(state, "best_validation_auroc");
        r.rng_position = number_at<std::uint64_t>(state, "rng_position");
        r.history = state.at("history").get<std::vector<epoch_record>>();
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(path, 0, "not an epiann training state: " + json_problem(e));
    }
    if (r.history.size() != r.epochs_done || r.best_epoch > r.epochs_done)
        throw input_error_at(path, 0, "inconsistent training state: " + std::to_string(r.epochs_done) + " epochs done, " +
                                          std::to_string(r.history.size()) + " in the history, best epoch " +
                                          std::to_string(r.best_epoch));
    return r;
}

// What differs between the metadata a run was started with and the one it would resume with, in words.
inline std::string metadata_difference(const nlohmann::json& stored, const nlohmann::json& now) {
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
    auto field = [](const nlohmann::json& j, const char* a, const char* b) -> std::string {
        if (!j.contains(a) || !j.at(a).is_object() || !j.at(a).contains(b)) return "?";
        const auto& v = j.at(a).at(b);
        return v.is_string() ? v.get<std::string>() : v.dump();
    };
    if (stored.value("pairs", nlohmann::json()) != now.value("pairs", nlohmann::json())) {
        if (field(stored, "pairs", "path") != field(now, "pairs", "path"))
            add("the run was started on the pairs " + field(stored, "pairs", "path") + ", not " + field(now, "pairs", "path"));
        else
            add("the pair file " + field(now, "pairs", "path") + " has changed since the run started (checksum " +
                field(stored, "pairs", "checksum") + ", now " + field(now, "pairs", "checksum") + ")");
    }
    if (stored.value("genome", nlohmann::json()) != now.value("genome", nlohmann::json()))
        add("the genome differs: " + field(stored, "genome", "path") + " (" + field(stored, "genome", "chromosomes") + " chromosomes, " +
            field(stored, "genome", "length") + " bp) when the run started, " + field(now, "genome", "path") + " (" +
            field(now, "genome", "chromosomes") + " chromosomes, " + field(now, "genome", "length") + " bp) now");
    for (const auto& [key, value] : stored.items())
        if (key != "pairs" && key != "genome" && (!now.contains(key) || now.at(key) != value))
            add("its " + key + " was " + value.dump() + ", now " + (now.contains(key) ? now.at(key).dump() : std::string("absent")));
    for (const auto& [key, value] : now.items())
        if (!stored.contains(key)) add("its " + key + " was absent, now " + value.dump());
    return out.empty() ? "the run was started with other settings" : out;
}

// A network that keeps its parameters, gradients and optimiser state on a device between steps (cuda_network):
// the trainer asks it for the optimiser step and the checks instead of reading its arenas every step.
template <class Net>
concept state_on_device = requires(Net& net, helix::adam<float>& optimizer, helix::view_t<const float, typename Net::input> next) {
    net.adam_step(optimizer);
    net.sync_optimizer(optimizer);
    net.prefetch(next);
};

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

namespace detail {
// The interaction logits of a forward pass: EPIANN's output is (logit, coordinates), the other models' the logit.
template <class Output>
const auto& logits_of(const Output& out) {
    if constexpr (requires { out.first; }) return out.first;
    else return out;
}
}  // namespace detail

// The model's loss on the latest forward pass; writes the output gradient when `with_gradient`. EPIANN's: label_weight
// x BCE(logit) + MSE of both coordinate heads; a model whose output is the logit alone: label_weight x BCE. `share`
// scales the whole loss: a rank holding n of a batch's N examples passes n / N, so that the ranks' losses (and
// gradients) sum to those of the batch's mean.
template <class Net, class Output>
double epiann_loss(const Output& out, const batch_tensors<Net>& b, float label_weight, bool with_gradient,
                   float share = 1) {
    using helix::bce_with_logits;
    using helix::mse;
    if constexpr (!helix::is_pair_v<typename Net::output>) {
        if (!with_gradient) return bce_with_logits(out, b.label.cview(), {}, label_weight * share);
        return bce_with_logits(out, b.label.cview(), out.gradient, label_weight * share);
    } else {
        if (!with_gradient)
            return bce_with_logits(out.first, b.label.cview(), {}, label_weight * share) +
                   mse(out.second.first, b.enhancer_coords.cview(), {}, share) +
                   mse(out.second.second, b.promoter_coords.cview(), {}, share);
        return bce_with_logits(out.first, b.label.cview(), out.gradient.first, label_weight * share) +
               mse(out.second.first, b.enhancer_coords.cview(), out.gradient.second.first, share) +
               mse(out.second.second, b.promoter_coords.cview(), out.gradient.second.second, share);
    }
}

struct scored_set {
    std::vector<double> probabilities;
    double mean_loss = 0;  // over batches; 0 when the set has no labels
};

enum class scores_on { every_rank, root };

namespace detail {
inline std::vector<std::size_t> every_item_if_empty(std::vector<std::size_t> items, std::size_t set_size) {
    if (items.empty()) {
        items.resize(set_size);
        std::iota(items.begin(), items.end(), std::size_t{0});
    }
    return items;
}

// Runs `items` of a set through the network in eval mode, batch by batch, appending each pair's interaction
// probability to `probabilities` and calling on_batch(out, batch_tensors, chunk) after each batch. With several
// ranks each runs a contiguous run of whole batches, so every example sees the same batch as in one process (the
// same bits for the same thread count). `with_coordinates` asks for the auxiliary coordinate heads, which only a
// loss reads.
template <class Net, class OnBatch>
void score_batches(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch,
                   const std::vector<std::size_t>& items, bool with_coordinates, communicator& comm,
                   std::vector<double>& probabilities, OnBatch on_batch) {
    const bool was_training = ctx.training, had_auxiliary = ctx.auxiliary_outputs;
    ctx.training = false;
    ctx.auxiliary_outputs = with_coordinates;
    const share mine = share_of((items.size() + batch - 1) / batch, comm.rank(), comm.size());
    batch_tensors<Net> b;
    for (std::size_t k = mine.first; k < mine.first + mine.count; ++k) {
        const std::size_t first = k * batch;
        const std::span<const std::size_t> chunk(items.data() + first, std::min(batch, items.size() - first));
        b.fill(set, chunk);
        const auto out = net.forward(ctx, b.input());
        const float* logits = logits_of(out).data();
        for (std::size_t j = 0; j < chunk.size(); ++j) probabilities.push_back(1 / (1 + std::exp(-double(logits[j]))));
        on_batch(out, b, chunk);
    }
    ctx.training = was_training;
    ctx.auxiliary_outputs = had_auxiliary;
}

inline std::vector<double> gather(communicator& comm, const std::vector<double>& mine, scores_on where) {
    return where == scores_on::every_rank ? comm.all_gather(mine) : comm.gather(mine);
}
}  // namespace detail

// Interaction probabilities and the mean EPIANN loss (coordinate heads included, as in training) for `items` of a
// set (all of it when empty), in eval mode: what validation reports. With several ranks the results are gathered
// in item order, on every rank or on rank 0 only (elsewhere: empty).
template <class Net>
scored_set score(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch, float label_weight,
                 std::vector<std::size_t> items = {}, communicator& comm = this_process_only(),
                 scores_on where = scores_on::every_rank) {
    items = detail::every_item_if_empty(std::move(items), set.size());
    bool labelled = true;
    for (const std::size_t i : items) labelled = labelled && set.label(i) >= 0;
    std::vector<double> probabilities, losses;
    detail::score_batches(net, ctx, set, batch, items, /*with_coordinates=*/true, comm, probabilities,
                          [&](const auto& out, const batch_tensors<Net>& b, std::span<const std::size_t>) {
                              losses.push_back(labelled ? epiann_loss<Net>(out, b, label_weight, false) : 0.0);
                          });
    scored_set result;
    result.probabilities = detail::gather(comm, probabilities, where);
    losses = detail::gather(comm, losses, where);
    double loss_sum = 0;
    for (const double l : losses) loss_sum += l;  // in batch order, as one process sums them
    result.mean_loss = labelled && !losses.empty() ? loss_sum / double(losses.size()) : 0;
    return result;
}

// Interaction probabilities only, for `items` of a set (all of it when empty), in eval mode: evaluation and
// prediction. The coordinate heads are skipped. Gathered as score() does.
template <class Net>
std::vector<double> predict_probabilities(Net& net, helix::cpu_context& ctx, const example_set& set, std::size_t batch,
                                          std::vector<std::size_t> items = {}, communicator& comm = this_process_only(),
                                          scores_on where = scores_on::every_rank) {
    items = detail::every_item_if_empty(std::move(items), set.size());
    std::vector<double> probabilities;
    detail::score_batches(net, ctx, set, batch, items, /*with_coordinates=*/false, comm, probabilities,
                          [](const auto&, const auto&, const auto&) {});
    return detail::gather(comm, probabilities, where);
}

// FNV-1a over the bytes of a span: ranks compare the states they loaded without sending them.
template <class T>
std::uint64_t fingerprint(std::span<const T> values) {
    std::uint64_t h = 14695981039346656037ull;
    const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
    for (std::size_t i = 0; i < values.size_bytes(); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
    return h;
}

template <class Net>
train_result train(Net& net, const train_options& opt, const example_set& training, const training_plan& plan,
                   const example_set& validation, communicator& comm = this_process_only()) {
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
                                 "cannot resume: " + metadata_difference(state.metadata, opt.metadata) +
                                     "; resume with the run's own inputs, or train anew");
        first_epoch = state.epochs_done;
        stale_epochs = state.stale_epochs;
        result.best_epoch = state.best_epoch;
        result.best_validation_auroc = state.best_validation_auroc;
        result.history = std::move(state.history);
        ctx.rng.seek(state.rng_position);
        if (comm.root()) std::fprintf(stderr, "resuming %s after epoch %zu\n", opt.run_dir.c_str(), first_epoch);
    } else {
        if (opt.init == "pytorch")
            net.init(opt.seed, helix::init::fan_in_uniform{});
        else if (opt.init == "paper")
            net.init(opt.seed, helix::init::truncated_normal{});
        else if (opt.init == "keras")
            net.init(opt.seed, helix::init::glorot_uniform{});
        else
            throw input_error("unknown initialisation \"" + opt.init + "\": expected paper, pytorch or keras");
        if (opt.after_init) opt.after_init();
    }
    // Every rank must hold the same parameters: at the start (a rank that read another state file, from a file system
    // the others do not see, would silently train something else) and after each epoch (an MPI library whose sum
    // differed in the last bit between ranks would let them drift apart).
    auto ranks_agree = [&](std::size_t epoch) {
        return comm.size() == 1 ||
               comm.same_on_all_ranks(fingerprint(std::as_const(net).parameters()) ^ (epoch * 0x9E3779B97F4A7C15ull));
    };
    if (!ranks_agree(first_epoch))
        throw input_error("the ranks started from different states: is " + opt.run_dir.string() +
                          " on a file system that every rank sees?");

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
    progress bar(comm.root() ? stderr : nullptr);
    for (std::size_t epoch = first_epoch; epoch < opt.max_epochs && stale_epochs < opt.patience; ++epoch) {
        const auto started = std::chrono::steady_clock::now();
        const auto batches = plan.epoch(epoch);
        bar.start_epoch(epoch + 1, opt.max_epochs, batches.size());
        // Two batches: on a device that keeps its state (cuda_network) the host reads the next batch, and sends it
        // ahead, while the device computes the backward pass of the current one.
        batch_tensors<Net> buffers[2];
        std::size_t current = 0;
        bool next_ready = false;  // buffers[current] was filled (and sent ahead) during the last step
        auto fill = [&](batch_tensors<Net>& into, const std::vector<std::size_t>& items) {
            if (items.size() < std::size_t(comm.size()))
                throw input_error("a batch of " + std::to_string(items.size()) + " examples cannot be shared by " +
                                  std::to_string(comm.size()) + " ranks: use fewer ranks or larger batches");
            const share mine = share_of(items.size(), comm.rank(), comm.size());
            into.fill(training, std::span(items).subspan(mine.first, mine.count));
        };
        epoch_record record;
        record.epoch = epoch + 1;
        double loss_sum = 0;
        ctx.training = true;
        for (std::size_t k = 0; k < batches.size(); ++k) {
            const auto& items = batches[k];
            batch_tensors<Net>& b = buffers[current];
            if (!next_ready) fill(b, items);
            next_ready = false;
            const share mine = share_of(items.size(), comm.rank(), comm.size());
            const float weight = float(mine.count) / float(items.size());
            ctx.share = {mine.first, items.size()};
            const auto out = net.forward(ctx, b.input());
            const double loss = epiann_loss<Net>(out, b, opt.label_loss_weight, true, weight);
            const std::size_t step = record.steps + 1;
            net.zero_grad();
            net.backward(ctx, b.input());
            const std::string summed = comm.size() > 1 ? " (summed over ranks: another rank's loss may be the one not finite)" : "";
            if constexpr (state_on_device<Net>) {
                if (k + 1 < batches.size()) {
                    fill(buffers[1 - current], batches[k + 1]);
                    net.prefetch(buffers[1 - current].input());
                    next_ready = true;
                }
                // cuda_network: the gradients come to the host only when something must see them there.
                if (opt.after_backward || comm.size() > 1 || !std::isfinite(loss)) {
                    const auto gradients = net.gradients();
                    if (opt.after_backward) opt.after_backward(epoch + 1, step, gradients);
                    if (!std::isfinite(loss)) gradients[0] = NAN;
                    comm.sum(gradients);
                }
                if (!std::isfinite(loss)) diverged(epoch + 1, step, "the loss is " + std::to_string(loss / weight));
                // As below, on the device: the update is skipped when a gradient is not finite.
                const auto bad = net.adam_step(optimizer);
                if (!bad.gradient.empty()) diverged(epoch + 1, step, "the gradient of " + bad.gradient + summed);
                if (!bad.weight.empty()) diverged(epoch + 1, step, "the update overflowed: weight " + bad.weight);
            } else {
                if (opt.after_backward) opt.after_backward(epoch + 1, step, net.gradients());
                // Every rank takes part in the sum even when its loss is not finite; poisoning the sum makes every
                // rank stop at the same step.
                const auto gradients = net.gradients();
                if (!std::isfinite(loss)) gradients[0] = NAN;
                comm.sum(gradients);  // the step's one collective: the whole batch's gradient on every rank
                if (!std::isfinite(loss)) diverged(epoch + 1, step, "the loss is " + std::to_string(loss / weight));
                // Checked before the update, so a bad gradient never reaches the weights or Adam's moments.
                if (const auto bad = first_non_finite(net, net.gradients()); !bad.empty())
                    diverged(epoch + 1, step, "the gradient of " + bad + summed);
                optimizer.step(net, ctx);
                if (const auto bad = first_non_finite(net, net.parameters()); !bad.empty())
                    diverged(epoch + 1, step, "the update overflowed: weight " + bad);
            }
            loss_sum += loss;
            ++record.steps;
            record.examples += items.size();
            bar.step(items.size(), loss / weight);
            if (next_ready) current = 1 - current;
        }
        ctx.share = {};
        record.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (!ranks_agree(epoch + 1))
            throw std::runtime_error("the ranks hold different parameters after epoch " + std::to_string(epoch + 1) +
                                     ": the MPI sum gave different bits on different ranks");
        comm.sum(std::span(&loss_sum, 1));
        record.train_loss = record.steps > 0 ? loss_sum / double(record.steps) : 0;

        const scored_set scored = score(net, ctx, validation, opt.eval_batch, opt.label_loss_weight, {}, comm);
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
            if (comm.root()) save_model(model_path, net, meta);
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
        if constexpr (state_on_device<Net>) net.sync_optimizer(optimizer);  // Adam's moments come home for the state file
        if (comm.root()) {
            save_training_state(state_path, net, optimizer, state);
            write_log();
        }

        char summary[160];
        std::snprintf(summary, sizeof summary, "validation AUROC %.4f AUPR %.4f loss %.4f%s", record.validation_auroc,
                      record.validation_aupr, record.validation_loss, record.best ? " (best so far)" : "");
        bar.end_epoch(summary, record.train_loss);
    }
    if (comm.root() && result.history.size() > 0 && stale_epochs >= opt.patience)
        std::fprintf(stderr, "stopped early: no better validation AUROC for %zu epochs; best epoch %zu\n", opt.patience,
                     result.best_epoch);
    if (comm.root()) write_log();
    comm.barrier();  // rank 0's model file is complete before any rank reads it
    // Leave the network holding the selected (best) weights.
    if (fs::exists(model_path)) load_model(model_path, net);
    return result;
}

}  // namespace epiann
