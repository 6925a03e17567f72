// epiann train / evaluate / predict: the model's life cycle on the command line (pipeline/runs.hpp does the work).
// Under mpirun or srun all three run on every rank; rank 0 alone prints and writes (docs/06-scaling.md).
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>

#include <helix/io/atomic_file.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/output_file.hpp"
#include "common/output_paths.hpp"
#include "data/pairs.hpp"
#include "device/device.hpp"
#include "pipeline/runs.hpp"
#include "train/distributed.hpp"
#include "tracks/interactions.hpp"
#include "models/catalog.hpp"

namespace epiann::cli {
namespace {


void add_split_options(CLI::App* cmd, split_request& s, bool required) {
    auto* kind = cmd->add_option("--split", s.kind, "paper (random stratified 90/10) or chromosome (held-out chromosomes)")
                     ->check(CLI::IsMember({"paper", "chromosome"}));
    if (required) kind->capture_default_str();
    cmd->add_option("--fold", s.fold, "Chromosome fold held out as test (0-4)")->check(CLI::Range(0, 4))->capture_default_str();
    cmd->add_option("--split-seed", s.seed, "Seed of the paper split")->check(count_from(0))->capture_default_str();
    cmd->add_option("--split-file", s.file, "Read the split from this file (written by train as RUN/split.tsv)");
}

// The split options that apply together; any other combination would leave one of them silently unused.
// default_kind: the command splits by s.kind even when --split is not given (train); otherwise (evaluate) a missing
// --split means the checkpoint's own split, which --fold and --split-seed cannot change.
void check_split_options(const CLI::App* cmd, const split_request& s, bool default_kind) {
    const bool kind = cmd->count("--split") > 0, fold = cmd->count("--fold") > 0, seed = cmd->count("--split-seed") > 0;
    if (!s.file.empty() && (kind || fold || seed))
        throw input_error("--split-file gives the whole split: leave out --split, --fold and --split-seed");
    if (fold && ((!kind && !default_kind) || s.kind != "chromosome"))
        throw input_error("--fold chooses the held-out chromosomes of --split chromosome; give --split chromosome with it");
    if (seed && ((!kind && !default_kind) || s.kind != "paper"))
        throw input_error("--split-seed seeds the random --split paper; give --split paper with it");
}

void add_device_option(CLI::App* cmd, std::string& device) {
    cmd->add_option("--device", device, "Compute on cpu or cuda (needs an epiann built with CUDA and a GPU)")
        ->check(CLI::IsMember({"cpu", "cuda"}))
        ->capture_default_str();
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto r = std::make_shared<train_request>();
    auto resume = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("train", "Train EPIANN, or another published EPI model, on a pair file with honest model selection");
    cmd->add_option("--genome", r->genome, "Genome: FASTA + .fai, bgzipped FASTA, or .2bit");
    cmd->add_option("--pairs", r->pairs, "Labelled pairs (TargetFinder CSV)");
    cmd->add_option("--out", r->out, "Run directory (checkpoints, logs, split); refused if it holds a run, unless --overwrite");
    cmd->add_flag("--overwrite", r->overwrite, "Replace the run in --out (its model, state, log and split are removed first)");
    cmd->add_option("--resume", *resume,
                    "Continue the interrupted run in this directory, wherever it is now; its options are read from its "
                    "run.json (only --threads and --device may be given beside it)");
    add_split_options(cmd, r->split, true);
    cmd->add_option("--model", r->model,
                    "Model: " + model_names() +
                        " (paper = epiann: the published EPIANN; NAME-small and small: reduced sizes; docs/05-epiann.md)")
        ->capture_default_str();
    cmd->add_option("--embedding", r->embedding,
                    "Pre-trained 6-mer matrix (.npy, 4097 x the model's embedding size, rows in kmer_tokens' order) for "
                    "each side's embedding of epivan, epi-dlmh, epi-mind and epi-trans; default: random");
    cmd->add_option("--epochs", r->epochs, "Most epochs")->check(count_from(1))->capture_default_str();
    cmd->add_option("--patience", r->patience, "Stop after this many epochs without a better validation AUROC")
        ->check(count_from(1))
        ->capture_default_str();
    cmd->add_option("--steps-per-epoch", r->steps_per_epoch, "Cap on batches per epoch (0: every augmented positive once)")
        ->check(count_from(0))
        ->capture_default_str();
    cmd->add_option("--validation-limit", r->validation_limit, "Score at most this many validation pairs per epoch (0: all)")
        ->check(count_from(0))
        ->capture_default_str();
    cmd->add_option("--batch-positives", r->batch_positives, "Positive examples per batch")->check(count_from(1))->capture_default_str();
    cmd->add_option("--batch-negatives", r->batch_negatives, "Negative examples per batch")->check(count_from(1))->capture_default_str();
    cmd->add_option("--learning-rate", r->learning_rate, "Adam's learning rate")
        ->check(number_in(1e-30, 1e30, "a learning rate from 1e-30 to 1e30"))
        ->capture_default_str();
    cmd->add_option("--dropout", r->dropout, "EPIANN's dropout rate (the other models keep their authors' rates)")
        ->check(number_in(0, 1, "a dropout rate from 0 to below 1", false, true))
        ->capture_default_str();
    cmd->add_option("--init", r->init,
                    "Initialisation: paper (truncated normal sd 0.1, biases 0.1), pytorch (U(+-1/sqrt(fan_in))) or keras "
                    "(Glorot uniform, biases 0); default: paper for EPIANN, keras for the others")
        ->check(CLI::IsMember({"paper", "pytorch", "keras"}));
    cmd->add_flag("--augment-negatives", r->augment_negatives,
                  "Shift training negatives like positives, so that position is no label cue (the paper shifts positives only)");
    cmd->add_option("--seed", r->seed, "Seed of initialisation, batches and dropout")->check(count_from(0))->capture_default_str();
    add_threads_option(cmd, r->threads)->capture_default_str();
    add_device_option(cmd, r->device);
    cmd->callback([r, resume, cmd] {
        require_device(parse_device(r->device));  // before any data is read
        train_request request = *r;
        if (!resume->empty()) {
            // The run's own options are in its run.json: anything else given here would be silently ignored.
            for (const CLI::Option* option : cmd->get_options()) {
                const std::string name = option->get_name();
                if (option->count() > 0 && name != "--resume" && name != "--threads" && name != "--device")
                    throw input_error("train --resume: " + name + " cannot be changed when resuming (the run's options are in " +
                                      (std::filesystem::path(*resume) / "run.json").string() +
                                      "); only --threads and --device may be given");
            }
            request = read_run_request(*resume);
            if (cmd->count("--threads")) request.threads = r->threads;
            request.device = r->device;
        } else if (r->genome.empty() || r->pairs.empty() || r->out.empty()) {
            throw input_error("train: give --genome, --pairs and --out (or --resume RUN)");
        } else {
            check_split_options(cmd, r->split, true);
            const model_entry& m = find_model(r->model);
            if (cmd->count("--dropout") && m.label_loss_weight != 10)
                throw input_error(std::string("train: --dropout sets EPIANN's rate; ") + m.name + " uses its authors' rates");
        }
        const auto s = run_training(request, !resume->empty());
        if (!world().root()) return;
        std::printf("trained %zu epochs (%zu examples) in %.0f s; best validation AUROC %.4f at epoch %zu\nmodel: %s\n",
                    s.epochs, s.examples, s.seconds, s.best_validation_auroc, s.best_epoch, s.model_path.c_str());
    });
}

void add_evaluate_command(CLI::App& app) {
    struct options {
        std::string checkpoint, genome, pairs, out;
        split_request split;
        bool allow_seen = false;
        int threads = 0;
        std::string device = "cpu";
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("evaluate", "Score the test set of a split: AUROC, AUPR, F1");
    cmd->add_option("--checkpoint", o->checkpoint, "Model checkpoint (RUN/model.safetensors)")->required();
    cmd->add_option("--genome", o->genome, "Genome")->required();
    cmd->add_option("--pairs", o->pairs, "Labelled pairs (TargetFinder CSV)")->required();
    add_split_options(cmd, o->split, false);
    cmd->add_flag("--allow-seen-pairs", o->allow_seen,
                  "Score a test set that holds pairs the checkpoint was trained or validated on (refused by default)");
    cmd->add_option("--out", o->out, "Directory for evaluation.json and test_predictions.tsv (default: the checkpoint's)");
    add_threads_option(cmd, o->threads);
    add_device_option(cmd, o->device);
    cmd->callback([o, cmd] {
        require_device(parse_device(o->device));
        check_split_options(cmd, o->split, false);
        std::optional<split_request> split;
        if (cmd->count("--split") || cmd->count("--split-file")) split = o->split;  // else: the checkpoint's own split
        std::filesystem::path dir = o->out.empty() ? std::filesystem::path(o->checkpoint).parent_path() : std::filesystem::path(o->out);
        if (dir.empty()) dir = ".";  // a checkpoint in the working directory
        const std::vector<named_path> outputs{{"evaluation.json in --out", dir / "evaluation.json"},
                                              {"test_predictions.tsv in --out", dir / "test_predictions.tsv"},
                                              {"test_pairs.csv in --out", dir / "test_pairs.csv"}};
        auto inputs = genome_inputs(o->genome);
        inputs.push_back({"--checkpoint", o->checkpoint});
        inputs.push_back({"--pairs", o->pairs});
        inputs.push_back({"--split-file", o->split.file});
        refuse_overwriting_inputs(inputs, outputs);
        check_output_directory(dir);
        const auto r = run_evaluation(o->checkpoint, o->genome, o->pairs, split, o->threads, o->device, o->allow_seen);
        if (!world().root()) return;  // rank 0 has every result and writes the files
        new_output_directory directory(dir);  // removed again, if empty, when writing fails
        remove_stale_temporaries_of(outputs);
        helix::commit_group together;  // the three files appear together or not at all
        helix::write_file_atomically(dir / "evaluation.json", r.to_json().dump(2) + "\n");
        output_file tsv(dir / "test_predictions.tsv"), csv(dir / "test_pairs.csv");
        tsv << "pair\tenhancer\tpromoter\tlabel\tprobability\n";
        csv << "enhancer_name,promoter_name,label\n";
        for (std::size_t i = 0; i < r.pairs.size(); ++i) {
            const auto& p = r.source.pairs[r.pairs[i]];
            char prob[32];
            std::snprintf(prob, sizeof prob, "%.9g", r.probabilities[i]);
            tsv << std::to_string(r.pairs[i]) + "\t" + p.enhancer_name + "\t" + p.promoter_name + "\t" + std::to_string(r.labels[i]) +
                       "\t" + prob + "\n";
            csv << p.enhancer_name + "," + p.promoter_name + "," + std::to_string(p.label) + "\n";
        }
        tsv.commit();
        csv.commit();  // `epiann predict` on this file reproduces the figures
        together.commit();
        directory.keep();
        std::printf("test set: %zu pairs (%.1f %% positive)\nAUROC %.4f  AUPR %.4f  F1@0.5 %.4f  best F1 %.4f (threshold %.3f)\n"
                    "wrote %s/evaluation.json, test_predictions.tsv, test_pairs.csv\n",
                    r.report.count, 100 * r.report.positive_rate, r.report.auroc, r.report.aupr, r.report.f1_at_half,
                    r.report.best.f1, r.report.best.threshold, dir.c_str());
        if (std::isnan(r.report.auroc))
            std::printf("%s\n", r.report.positives == 0 ? "AUROC and AUPR are undefined: the test set has no positive pair"
                                                         : "AUROC is undefined: the test set has no negative pair (AUPR is 1 by definition)");
    });
}

void add_predict_command(CLI::App& app) {
    struct options {
        std::string checkpoint, genome, pairs, out;
        int threads = 0;
        std::string device = "cpu";
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("predict", "Interaction probability of every pair of a file (BEDPE or TargetFinder CSV)");
    cmd->add_option("--checkpoint", o->checkpoint, "Model checkpoint (RUN/model.safetensors)")->required();
    cmd->add_option("--genome", o->genome, "Genome")->required();
    cmd->add_option("--pairs", o->pairs, "Pairs: BEDPE or TargetFinder CSV (read once: a pipe works)")->required();
    cmd->add_option("--out", o->out, "Scores TSV; .bedpe and .interact files are written beside it")->required();
    add_threads_option(cmd, o->threads);
    add_device_option(cmd, o->device);
    cmd->callback([o] {
        require_device(parse_device(o->device));
        const std::filesystem::path out = o->out;
        auto beside = [&](const char* extension) { return std::filesystem::path(out).replace_extension(extension); };
        auto inputs = genome_inputs(o->genome);
        inputs.push_back({"--checkpoint", o->checkpoint});
        inputs.push_back({"--pairs", o->pairs});
        const std::vector<named_path> outputs{{"--out", out},
                                              {"the BEDPE written beside --out", beside(".bedpe")},
                                              {"the interact file written beside --out", beside(".interact")}};
        refuse_overwriting_inputs(inputs, outputs);
        check_output_directory(out.parent_path().empty() ? "." : out.parent_path(), "the directory of --out");
        const auto scored = run_prediction(o->checkpoint, o->genome, o->pairs, o->threads, o->device);
        if (!world().root()) return;  // rank 0 has every shard, in input order, and writes the files
        const auto& pairs = scored.source;
        const auto& probabilities = scored.probabilities;
        remove_stale_temporaries_of(outputs);
        helix::commit_group together;  // the TSV, BEDPE and interact files appear together or not at all
        output_file tsv(out);
        tsv << "pair\tenhancer\tpromoter\tlabel\tprobability\n";
        std::vector<scored_interaction> items;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
            const auto& p = pairs.pairs[i];
            char prob[32];
            std::snprintf(prob, sizeof prob, "%.9g", probabilities[i]);
            tsv << std::to_string(i) + "\t" + p.enhancer_name + "\t" + p.promoter_name + "\t" +
                       (p.label < 0 ? std::string(".") : std::to_string(p.label)) + "\t" + prob + "\n";
            items.push_back({{p.enhancer.chromosome, p.enhancer.start, p.enhancer.end, p.enhancer_name},
                             {p.promoter.chromosome, p.promoter.start, p.promoter.end, p.promoter_name},
                             "pair" + std::to_string(i),
                             probabilities[i]});
        }
        tsv.commit();
        write_bedpe(beside(".bedpe"), items);
        write_interact(beside(".interact"), items, "epiann", "EPIANN interaction probability");
        together.commit();
        std::size_t labelled = 0;
        std::vector<double> s;
        std::vector<int> y;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i)
            if (pairs.pairs[i].label >= 0) {
                ++labelled;
                s.push_back(probabilities[i]);
                y.push_back(pairs.pairs[i].label);
            }
        std::printf("scored %zu pairs: %s (and %s, %s)\n", pairs.pairs.size(), out.c_str(), beside(".bedpe").c_str(),
                    beside(".interact").c_str());
        if (labelled == pairs.pairs.size()) {
            const auto r = classify(s, y);
            std::printf("the file is labelled: AUROC %.4f  AUPR %.4f  F1@0.5 %.4f  best F1 %.4f\n", r.auroc, r.aupr, r.f1_at_half, r.best.f1);
            if (std::isnan(r.auroc))
                std::printf("%s\n", r.positives == 0 ? "AUROC and AUPR are undefined: the file has no positive pair"
                                                     : "AUROC is undefined: the file has no negative pair (AUPR is 1 by definition)");
        }
    });
}

}  // namespace epiann::cli
