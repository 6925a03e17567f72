#include "device/device.hpp"
#include "pipeline/runs.hpp"

#include "evaluate/curve_json.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "common/output_paths.hpp"
#include "models/catalog.hpp"
#include "train/checkpoint.hpp"
#include "train/trainer.hpp"

namespace epiann {

namespace {

int thread_count(int threads) { return threads > 0 ? threads : helix::cpu_context::default_threads(); }

// Says on stderr, once, how the work is spread when there is more than one rank.
void announce(communicator& comm, int threads, const char* what) {
    if (comm.size() > 1 && comm.root())
        std::fprintf(stderr, "%s on %d MPI ranks, %d thread%s each\n", what, comm.size(), thread_count(threads),
                     thread_count(threads) == 1 ? "" : "s");
}

// The files a training run writes in its directory: a new run removes these of an old one before it starts.
const char* const run_files[] = {"run.json", "split.tsv", "model.safetensors", "state.safetensors", "log.jsonl"};

// An exclusive lock on RUN/.lock for as long as the run trains: a second `epiann train` on the same directory stops
// at once instead of interleaving its checkpoints with the first's. flock() locks vanish with their process, so a
// killed run leaves no stale lock.
class run_lock {
public:
    explicit run_lock(const std::filesystem::path& run) {
        const auto path = run / ".lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);  // a lock, never an output
        if (fd_ < 0) throw helix::io_error(path.string() + ": cannot create the run's lock file: " + std::strerror(errno));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw input_error(run.string() + ": another epiann process is training in this directory now (it holds " +
                              path.string() + "); wait for it, or train in another --out");
        }
    }
    run_lock(const run_lock&) = delete;
    run_lock& operator=(const run_lock&) = delete;
    ~run_lock() { ::close(fd_); }  // releases the lock

private:
    int fd_ = -1;
};

std::string absolute_path(const std::string& path) {
    if (path.empty()) return path;
    std::error_code ec;
    const auto a = std::filesystem::absolute(path, ec);
    return ec ? path : a.lexically_normal().string();
}

// Which pairs a checkpoint saw (training and validation sets of its split), as (enhancer, promoter) intervals, when
// its pair file is the given one or can still be read where it was; nothing, with the reason, otherwise.
std::optional<std::set<std::pair<std::string, std::string>>> seen_pairs(const nlohmann::json& meta, const pair_file& given,
                                                                      std::string& why_not) {
    try {
        const auto& p = meta.at("pairs");
        const std::string recorded_path = p.at("path"), recorded_checksum = p.at("checksum");
        const auto& sm = meta.at("split");
        pair_file other;
        const pair_file* trained_on = &given;
        if (std::to_string(given.checksum) != recorded_checksum) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(recorded_path, ec)) {
                why_not = "its pair file " + recorded_path + " is not there";
                return std::nullopt;
            }
            other = read_pairs(recorded_path);
            if (std::to_string(other.checksum) != recorded_checksum) {
                why_not = "its pair file " + recorded_path + " has changed since";
                return std::nullopt;
            }
            trained_on = &other;
        }
        const split s = sm.contains("file") ? read_split(sm.at("file"), *trained_on)
                                            : make_split(*trained_on, sm.at("kind"), number_at<int>(sm, "fold"),
                                                         number_at<std::uint64_t>(sm, "seed"));
        std::set<std::pair<std::string, std::string>> seen;
        for (std::size_t i = 0; i < s.sets.size(); ++i)
            if (s.sets[i] != pair_set::test) seen.emplace(trained_on->pairs[i].enhancer.text(), trained_on->pairs[i].promoter.text());
        return seen;
    } catch (const nlohmann::json::exception& e) {
        why_not = "its metadata does not say how it was split (" + json_problem(e) + ")";
        return std::nullopt;
    } catch (const input_error& e) {
        why_not = std::string("its split cannot be rebuilt: ") + e.what();
        return std::nullopt;
    }
}

}  // namespace

train_summary run_training(const train_request& request, bool resume) {
    // Absolute paths everywhere (run.json, checkpoint metadata): the run resumes from any working directory, and after
    // its directory has moved.
    train_request r = request;
    r.genome = absolute_path(r.genome);
    r.pairs = absolute_path(r.pairs);
    r.split.file = absolute_path(r.split.file);
    r.embedding = absolute_path(r.embedding);
    const model_entry& m = find_model(r.model);
    r.model = m.name;
    if (r.init.empty()) r.init = m.default_init;
    {
        namespace fs = std::filesystem;
        const auto started = std::chrono::steady_clock::now();
        communicator& comm = world();
        announce(comm, r.threads, "training");
        check_request(r, "train");
        const fs::path run = r.out;
        std::vector<named_path> outputs;
        for (const char* name : run_files) outputs.push_back({std::string(name) + " in --out", run / name});
        auto inputs = genome_inputs(r.genome);
        inputs.push_back({"--pairs", r.pairs});
        inputs.push_back({"--split-file", r.split.file});
        inputs.push_back({"--embedding", r.embedding});
        refuse_overwriting_inputs(inputs, outputs);
        // Until the run's first file is written, a failure leaves nothing: no lock file, no directory it made.
        std::optional<new_output_directory> directory;
        std::optional<run_lock> lock;
        struct unwritten_run {
            fs::path lock_file;
            bool written = false;
            ~unwritten_run() {
                std::error_code ec;
                if (!written && !lock_file.empty()) fs::remove(lock_file, ec);
            }
        } unwritten;
        if (comm.root()) {
            directory.emplace(run);
            lock.emplace(run);
            unwritten.lock_file = run / ".lock";
            remove_stale_temporaries_of(outputs);
            std::vector<std::string> present;
            for (const char* name : run_files)
                if (fs::exists(run / name)) present.push_back(name);
            if (!resume && !present.empty() && !r.overwrite) {
                std::string list;
                for (const auto& n : present) list += (list.empty() ? "" : ", ") + n;
                throw input_error(run.string() + " holds a training run already (" + list +
                                  "): continue it with `epiann train --resume " + run.string() +
                                  "`, replace it with --overwrite, or choose another --out");
            }
        }
        if (resume && comm.root() && !fs::exists(run / "state.safetensors")) {
            std::error_code ec;
            if (fs::exists(run / "log.jsonl") && fs::file_size(run / "log.jsonl", ec) > 0)
                throw input_error(run.string() + " has a training log but no state.safetensors, so its epochs cannot be "
                                  "continued: restore the state file, or start the run over with `epiann train ... --out " +
                                  run.string() + " --overwrite`");
            std::fprintf(stderr, "%s: no epoch had finished (no state.safetensors): the run starts from epoch 1\n", run.c_str());
        }
        dataset d = load_dataset(r.genome, r.pairs, r.split, (long long)m.enhancer_window, (long long)m.promoter_window);
        if (!std::filesystem::is_regular_file(r.pairs) && comm.root())
            std::fprintf(stderr, "warning: %s is not a regular file (a pipe?): the run cannot be resumed from it\n", r.pairs.c_str());
        if (!r.split.file.empty()) {  // run.json and the checkpoints record the split the file holds
            r.split.kind = d.s->kind;
            r.split.fold = d.s->fold;
            r.split.seed = d.s->seed;
        }
        d.windows.augmentation_offsets = window_options::augmentation(m.augment_first, m.augment_step, 20);
        d.windows.augment_negatives = r.augment_negatives;
        auto training = d.examples(pair_set::train, true);
        auto validation = d.examples(pair_set::validation, false, r.validation_limit, r.seed);
        if (validation->size() == 0) throw input_error("the split leaves no validation pairs");
        const coordinate_scaler scaler = training->fit_scaler();
        training->set_scaler(scaler);
        validation->set_scaler(scaler);
        const balanced_plan plan(*training, r.seed, r.batch_positives, r.batch_negatives, r.steps_per_epoch);
        // Every input has been read and checked: only now is an old run replaced and the new one's first file written.
        if (comm.root() && !resume && r.overwrite)
            for (const char* name : run_files) fs::remove(run / name);
        comm.barrier();
        if (comm.root()) {
            write_split((run / "split.tsv").string(), *d.s, d.pairs);
            helix::write_file_atomically(run / "run.json", r.to_json().dump(2) + "\n");
            unwritten.written = true;
            directory->keep();
        }
        if (comm.root())
            std::fprintf(stderr,
                     "training the %s model (%zu x %zu bp windows) on %zu examples (%zu pairs; %s shifted 20 times), "
                     "%zu batches per epoch; validation: %zu pairs\n",
                     m.name, m.enhancer_window, m.promoter_window, training->size(),
                     d.s->indices(pair_set::train).size(), r.augment_negatives ? "all" : "positives",
                     plan.batches_per_epoch(), validation->size());

        train_options o;
        o.max_epochs = r.epochs;
        o.patience = r.patience;
        o.learning_rate = r.learning_rate;
        o.dropout = r.dropout;
        o.init = r.init;
        o.label_loss_weight = m.label_loss_weight;
        o.seed = r.seed;
        o.threads = thread_count(r.threads);
        o.run_dir = run;
        o.resume = resume;
        o.metadata = d.describe();
        o.metadata["model"] = m.describe();
        o.metadata["split"] = r.split.to_json();
        if (!r.split.file.empty()) o.metadata["split"]["file"] = r.split.file;  // evaluate rebuilds the split
        o.metadata["coordinates"] = scaler.to_json();
        o.metadata["seed"] = r.seed;
        o.metadata["train"] = {{"learning_rate", r.learning_rate}, {"dropout", r.dropout}, {"init", r.init}, {"augment_negatives", r.augment_negatives},
                               {"augmentation", {m.augment_first, m.augment_step, 20}}, {"embedding", r.embedding},
                               {"batch_positives", r.batch_positives}, {"batch_negatives", r.batch_negatives},
                               {"steps_per_epoch", r.steps_per_epoch}, {"validation_limit", r.validation_limit}};
        train_job job;
        job.options = std::move(o);
        job.training = training.get();
        job.plan = &plan;
        job.validation = validation.get();
        job.comm = &comm;
        job.device = parse_device(r.device);
        job.dropout = r.dropout;
        job.embedding = r.embedding;
        const auto result = [&] {
            try {
                return m.train(job);
            } catch (const training_diverged&) {
                // Diverged before any epoch finished: no run to resume, so none is left (a rerun needs no --overwrite).
                if (comm.root() && !resume && !fs::exists(run / "state.safetensors")) {
                    for (const char* name : run_files) fs::remove(run / name);
                    unwritten.written = false;  // the lock file goes too, then the directory if this run made it
                    directory->unkeep();
                }
                throw;
            }
        }();
        train_summary s;
        s.epochs = result.history.size();
        s.best_epoch = result.best_epoch;
        s.best_validation_auroc = result.best_validation_auroc;
        for (const auto& h : result.history) s.examples += h.examples;
        s.model_path = result.model_path;
        s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return s;
    }
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
            {"pr", curve_json(pr_curve(probabilities, labels))},
            {"seen_pairs", seen_pairs}};
}

evaluation_result run_evaluation(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 const std::optional<split_request>& split, int threads, const std::string& device,
                                 bool allow_seen_pairs) {
    const checkpoint_info info = read_checkpoint_info(checkpoint);
    const model_entry& m = find_model(info.model);
    {
        dataset d = load_dataset(genome, pairs, split ? *split : info.split, (long long)m.enhancer_window, (long long)m.promoter_window);
        communicator& comm = world();
        // Figures on pairs the model was trained or selected on say nothing about new pairs.
        std::size_t seen_count = 0;
        std::string why_not;
        if (const auto seen = seen_pairs(info.metadata, d.pairs, why_not)) {
            std::size_t test_count = 0;
            for (std::size_t i : d.s->indices(pair_set::test)) {
                ++test_count;
                seen_count += seen->count({d.pairs.pairs[i].enhancer.text(), d.pairs.pairs[i].promoter.text()});
            }
            if (seen_count > 0 && !allow_seen_pairs)
                throw input_error(std::to_string(seen_count) + " of the " + std::to_string(test_count) + " test pairs of this split of " +
                                  pairs + " were training or validation pairs of " + checkpoint + " (trained on the " +
                                  info.split.kind + " split" +
                                  (info.split.kind == "chromosome" ? ", fold " + std::to_string(info.split.fold) : "") +
                                  "): its figures on them would be meaningless. Evaluate on the checkpoint's own split "
                                  "(leave out --split), or give --allow-seen-pairs to score them anyway");
            if (seen_count > 0 && comm.root())
                std::fprintf(stderr, "warning: %zu of the %zu test pairs were training or validation pairs of the checkpoint "
                                     "(--allow-seen-pairs): the figures overstate what it does on new pairs\n",
                             seen_count, test_count);
        } else if (comm.root()) {
            std::fprintf(stderr, "warning: cannot check whether the test pairs were training pairs of %s: %s\n", checkpoint.c_str(),
                         why_not.c_str());
        }
        auto test = d.examples(pair_set::test, false);
        if (test->size() == 0) throw input_error("the split has no test pairs");
        test->set_scaler(info.scaler);
        announce(comm, threads, "evaluation");
        evaluation_result r;
        r.seen_pairs = seen_count;
        r.probabilities = m.predict(checkpoint, *test, thread_count(threads), parse_device(device), comm);
        if (comm.root()) {
            for (std::size_t i = 0; i < test->size(); ++i) {
                r.pairs.push_back(test->item(i).pair);
                r.labels.push_back(test->label(i));
            }
            r.report = classify(r.probabilities, r.labels);
        }
        test.reset();  // it refers to d.pairs, which moves into the result
        r.source = std::move(d.pairs);
        return r;
    }
}

prediction_result run_prediction(const std::string& checkpoint, const std::string& genome, const std::string& pairs,
                                 int threads, const std::string& device) {
    const checkpoint_info info = read_checkpoint_info(checkpoint);
    const model_entry& m = find_model(info.model);
    dataset d = load_dataset(genome, pairs, std::nullopt, (long long)m.enhancer_window, (long long)m.promoter_window);
    auto all = d.all_pairs();
    all->set_scaler(info.scaler);
    communicator& comm = world();
    announce(comm, threads, "prediction");
    prediction_result r;
    r.probabilities = m.predict(checkpoint, *all, thread_count(threads), parse_device(device), comm);
    all.reset();  // it refers to d.pairs, which moves into the result
    r.source = std::move(d.pairs);
    return r;
}

}  // namespace epiann
