#include "pipeline/compare.hpp"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/output_paths.hpp"
#include "models/catalog.hpp"
#include "pipeline/audit.hpp"
#include "train/distributed.hpp"

extern char** environ;

namespace epiann {
namespace {

namespace fs = std::filesystem;

struct child_result {
    double seconds = 0, peak_mib = 0;
};

// Runs `args` (args[0] the program) with stdout and stderr appended to `log`; input_error quoting the log's end
// when it fails.
child_result run_child(const std::vector<std::string>& args, const fs::path& log, const std::string& what) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);  // a live log, never a result
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const auto started = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("compare: cannot run " + args[0] + ": " + std::strerror(spawned));
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0)
        if (errno != EINTR) throw std::runtime_error(std::string("compare: wait4: ") + std::strerror(errno));
    child_result r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.peak_mib = double(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::ifstream in(log);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.size() > 1500) text = "..." + text.substr(text.size() - 1500);
        throw input_error("compare: " + what + " failed (" +
                          (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                             : "signal " + std::to_string(WTERMSIG(status))) +
                          "); the end of " + log.string() + ":\n" + text);
    }
    return r;
}

nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("compare: " + path.string() + " was not written");
    return nlohmann::json::parse(in);
}

std::string fixed(double v, int digits) {
    if (!std::isfinite(v)) return "n/a";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string split_label(const split_request& s) {
    return s.kind == "chromosome" ? "chromosome (fold " + std::to_string(s.fold) + ")" : "paper (random 90/10)";
}

}  // namespace

compare_result run_compare(const compare_request& r) {
    if (world().size() > 1) throw input_error("compare runs its models one after another: start it without an MPI launcher");
    if (r.models.empty()) throw input_error("compare: give --models (one or more of " + model_names() + ")");
    if (r.splits.empty()) throw input_error("compare: no split to compare on");
    if (r.examples < r.batch) throw input_error("compare: --examples must be at least one batch (" + std::to_string(r.batch) + ")");
    std::vector<const model_entry*> models;
    for (const auto& name : r.models) {
        const model_entry* m = &find_model(name);
        for (const model_entry* seen : models)
            if (seen == m) throw input_error("compare: " + name + " is named twice in --models");
        models.push_back(m);
    }
    const fs::path out = r.out;
    std::vector<named_path> outputs{{"compare.tsv in --out", out / "compare.tsv"},
                                    {"compare.json in --out", out / "compare.json"},
                                    {"compare.md in --out", out / "compare.md"}};
    auto inputs = genome_inputs(r.genome);
    inputs.push_back({"--pairs", r.pairs});
    inputs.push_back({"--motifs", r.motifs});
    inputs.push_back({"--baseline-motifs", r.baseline_motifs});
    refuse_overwriting_inputs(inputs, outputs);
    check_output_directory(out);
    if (!r.overwrite)
        for (const auto& o : outputs)
            if (fs::exists(o.path))
                throw input_error(out.string() + " holds a comparison already (" + o.path.filename().string() +
                                  "): give --overwrite to replace it, or choose another --out");
    const std::string exe = r.executable.empty() ? fs::read_symlink("/proc/self/exe").string() : r.executable;
    const std::size_t steps = (r.examples + r.epochs * r.batch - 1) / (r.epochs * r.batch);

    // The canaries and the baseline first: a bad pair file or genome stops the comparison before any training.
    audit_request a;
    a.pairs = r.pairs;
    a.genome = r.genome;
    a.motifs = r.motifs;
    a.baseline_motifs = r.baseline_motifs;
    a.enhancer_window = (long long)models.front()->enhancer_window;
    a.promoter_window = (long long)models.front()->promoter_window;
    a.splits = r.splits;
    std::fprintf(stderr, "compare: leak canaries and marginal-motif baseline (%zu / %zu bp windows)\n", models.front()->enhancer_window,
                 models.front()->promoter_window);
    const audit_result audit = run_audit(a);

    new_output_directory directory(out);
    compare_result result;
    for (const split_request& s : r.splits) {
        for (const model_entry* m : models) {
            const fs::path run = out / s.kind / m->name;
            fs::create_directories(run);
            const fs::path log = run / "train.log";
            fs::remove(log);
            std::fprintf(stderr, "compare: %s on the %s split: training %zu steps x %zu epochs of %zu examples (log: %s)\n", m->name,
                         s.kind.c_str(), steps, r.epochs, r.batch, log.c_str());
            std::vector<std::string> train = {
                exe, "train", "--genome", r.genome, "--pairs", r.pairs, "--model", m->name, "--out", run.string(), "--overwrite",
                "--split", s.kind, s.kind == "chromosome" ? "--fold" : "--split-seed",
                s.kind == "chromosome" ? std::to_string(s.fold) : std::to_string(s.seed),
                "--epochs", std::to_string(r.epochs), "--patience", std::to_string(r.epochs),
                "--steps-per-epoch", std::to_string(steps), "--validation-limit", std::to_string(r.validation_limit),
                "--batch-positives", std::to_string(r.batch / 2), "--batch-negatives", std::to_string(r.batch - r.batch / 2),
                "--augment-negatives", "--seed", std::to_string(r.seed), "--threads", std::to_string(r.threads)};
            const child_result trained = run_child(train, log, std::string("training ") + m->name);
            const std::vector<std::string> evaluate = {exe, "evaluate", "--checkpoint", (run / "model.safetensors").string(),
                                                       "--genome", r.genome, "--pairs", r.pairs, "--out", run.string(),
                                                       "--threads", std::to_string(r.threads)};
            const child_result evaluated = run_child(evaluate, log, std::string("evaluating ") + m->name);
            const auto ev = read_json(run / "evaluation.json");
            compare_row row;
            row.split = s.kind;
            row.model = m->name;
            row.architecture = m->architecture;
            row.size = m->size;
            row.auroc = ev.at("auroc").is_null() ? NAN : ev.at("auroc").get<double>();
            row.aupr = ev.at("aupr").is_null() ? NAN : ev.at("aupr").get<double>();
            row.parameters = m->parameters();
            double train_seconds = 0;
            std::ifstream lines(run / "log.jsonl");
            for (std::string line; std::getline(lines, line);) {
                if (line.empty()) continue;
                const auto j = nlohmann::json::parse(line);
                row.examples += j.at("examples").get<std::size_t>();
                train_seconds += j.value("train_seconds", j.at("seconds").get<double>());
            }
            row.examples_per_second = train_seconds > 0 ? double(row.examples) / train_seconds : 0;
            row.wall_seconds = trained.seconds + evaluated.seconds;
            row.peak_mib = std::max(trained.peak_mib, evaluated.peak_mib);
            std::fprintf(stderr, "compare: %s: held-out AUROC %s, AUPR %s, %.0f examples/s, %.0f s, %.0f MiB\n", m->name,
                         fixed(row.auroc, 3).c_str(), fixed(row.aupr, 3).c_str(), row.examples_per_second, row.wall_seconds,
                         row.peak_mib);
            result.rows.push_back(row);
        }
    }

    // Reference rows: what a predictor that reads no sequence (the canaries) or only motif presence reaches.
    result.audit = nlohmann::json::array();
    for (const auto& row : audit.rows)
        result.audit.push_back({{"split", row.split}, {"predictor", row.predictor}, {"auroc", row.report.auroc},
                                {"aupr", row.report.aupr}, {"test_pairs", row.report.count}});
    std::string tsv = "split\tmodel\tarchitecture\tsize\tauroc\taupr\tparameters\ttraining_examples\texamples_per_second\twall_seconds\tpeak_mib\n";
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : result.rows) {
        tsv += row.split + "\t" + row.model + "\t" + row.architecture + "\t" + row.size + "\t" + fixed(row.auroc, 4) + "\t" +
               fixed(row.aupr, 4) + "\t" + std::to_string(row.parameters) + "\t" + std::to_string(row.examples) + "\t" +
               fixed(row.examples_per_second, 1) + "\t" + fixed(row.wall_seconds, 1) + "\t" + fixed(row.peak_mib, 0) + "\n";
        rows.push_back({{"split", row.split}, {"model", row.model}, {"architecture", row.architecture}, {"size", row.size},
                        {"auroc", row.auroc}, {"aupr", row.aupr}, {"parameters", row.parameters},
                        {"training_examples", row.examples}, {"examples_per_second", row.examples_per_second},
                        {"wall_seconds", row.wall_seconds}, {"peak_mib", row.peak_mib}});
    }
    for (const auto& row : audit.rows)
        tsv += row.split + "\t" + row.predictor + "\treference\t-\t" + fixed(row.report.auroc, 4) + "\t" + fixed(row.report.aupr, 4) +
               "\t0\t0\t0\t0\t0\n";

    // The report section: per split, the models against the references, and the gain from the leaky split.
    std::string md = "## Published architectures under one honest split\n\n";
    md += "Each model was trained on the same pairs, split, seed and budget (" + std::to_string(result.rows.empty() ? 0 : result.rows.front().examples) +
          " training examples: " + std::to_string(r.epochs) + (r.epochs == 1 ? " epoch of " : " epochs of ") + std::to_string(steps) +
          " batches of " +
          std::to_string(r.batch) + ", negatives shifted like positives), and scored on the split's test pairs. The "
          "canaries read no sequence; the marginal-motif baseline sees which motifs each element holds but not how they pair.\n\n";
    std::map<std::string, double> baseline;  // split kind -> baseline AUROC
    for (const auto& row : audit.rows)
        if (row.predictor.find("motif") != std::string::npos)
            baseline[row.split.substr(0, row.split.find(' '))] = row.report.auroc;
    for (const split_request& s : r.splits) {
        md += "### " + split_label(s) + "\n\n| model | architecture | size | held-out AUROC | AUPR | parameters | training examples/s | "
              "wall time (s) | peak memory (MiB) |\n|---|---|---|---|---|---|---|---|---|\n";
        for (const auto& row : result.rows)
            if (row.split == s.kind)
                md += "| " + row.model + " | " + row.architecture + " | " + row.size + " | " + fixed(row.auroc, 3) + " | " +
                      fixed(row.aupr, 3) + " | " + std::to_string(row.parameters) + " | " + fixed(row.examples_per_second, 0) + " | " +
                      fixed(row.wall_seconds, 0) + " | " + fixed(row.peak_mib, 0) + " |\n";
        for (const auto& row : audit.rows)
            if (row.split.rfind(s.kind, 0) == 0)
                md += "| *" + row.predictor + "* | reference | | " + fixed(row.report.auroc, 3) + " | " + fixed(row.report.aupr, 3) +
                      " | | | | |\n";
        md += "\n";
        const auto b = baseline.find(s.kind);
        if (b != baseline.end()) {
            std::string above, below;
            for (const auto& row : result.rows)
                if (row.split == s.kind) (row.auroc > b->second + 0.02 ? above : below) += (std::string(" ") + row.model + ",");
            if (!above.empty()) above.pop_back();
            if (!below.empty()) below.pop_back();
            md += "Above the marginal-motif baseline (AUROC " + fixed(b->second, 3) + ") by more than 0.02, so reading how motifs "
                  "pair:" + (above.empty() ? std::string(" none") : above) + ". Not above it, so no more than the marginal motifs:" +
                  (below.empty() ? std::string(" none") : below) + ".\n\n";
        }
    }
    if (r.splits.size() > 1) {
        md += "### What the leaky split adds\n\n| model | AUROC (" + r.splits[0].kind + ") | AUROC (" + r.splits[1].kind +
              ") | difference |\n|---|---|---|---|\n";
        for (const model_entry* m : models) {
            double first = NAN, second = NAN;
            for (const auto& row : result.rows) {
                if (row.model == m->name && row.split == r.splits[0].kind) first = row.auroc;
                if (row.model == m->name && row.split == r.splits[1].kind) second = row.auroc;
            }
            md += std::string("| ") + m->name + " | " + fixed(first, 3) + " | " + fixed(second, 3) + " | " + fixed(second - first, 3) +
                  " |\n";
        }
        md += "\n";
    }
    result.markdown = md;
    nlohmann::json j = {{"models", r.models}, {"examples", r.examples}, {"epochs", r.epochs}, {"steps_per_epoch", steps},
                        {"batch", r.batch}, {"seed", r.seed}, {"rows", rows}, {"references", result.audit}};
    helix::commit_group together;
    helix::write_file_atomically(out / "compare.tsv", tsv);
    helix::write_file_atomically(out / "compare.json", j.dump(2) + "\n");
    helix::write_file_atomically(out / "compare.md", md);
    together.commit();
    directory.keep();
    return result;
}

}  // namespace epiann
