// epiann demo: the main job on the embedded default — simulate the benchmark, train on it with whole chromosomes
// held out, evaluate on them, audit the split, explain what attention found, write the report, and say where
// everything is.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include <helix/io/atomic_file.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/output_paths.hpp"
#include "explain/attribution.hpp"
#include "pipeline/audit.hpp"
#include "pipeline/explain.hpp"
#include "pipeline/runs.hpp"
#include "report/report.hpp"
#include "simulate/simulation.hpp"
#include "train/model_variants.hpp"

namespace epiann::cli {
namespace {

// Removes an earlier demo's results from `root` (only the files a demo writes), so that a demo interrupted part-way
// never leaves a directory that mixes two demos' files.
void remove_earlier_demo(const std::filesystem::path& root, const std::vector<explain_request>& explains) {
    namespace fs = std::filesystem;
    std::vector<std::pair<fs::path, std::vector<std::string>>> written = {
        {"data", {"genome.fa", "genome.fa.fai", "pairs.csv", "grammar.tsv", "truth.tsv", "occupancy.narrowPeak", "README"}},
        {"run", {"run.json", "split.tsv", "model.safetensors", "state.safetensors", "log.jsonl", "evaluation.json", ".lock"}}};
    for (const auto& x : explains) written.push_back({fs::path(x.out).filename(), explain_outputs(x, parse_methods(x.methods))});
    written.push_back({"", {"audit.json", "report.html"}});
    std::error_code ec;
    for (const auto& [dir, names] : written) {
        for (const auto& name : names) fs::remove(root / dir / name, ec);
        if (!dir.empty()) fs::remove(root / dir, ec);  // only when empty
    }
}

}  // namespace

void add_demo_command(CLI::App& app) {
    struct options {
        std::string out = "epiann-demo";
        std::uint64_t seed = 1;
        int threads = 0;
        bool quick = false;
        std::size_t epochs = 8;
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("demo", "Simulate the default benchmark, train, evaluate on held-out chromosomes, audit, explain, report");
    cmd->add_option("--out", o->out, "Directory for everything the demo writes (an earlier demo's results there are replaced)")->capture_default_str();
    cmd->add_option("--seed", o->seed, "Seed of the simulation and the training")->check(count_from(0))->capture_default_str();
    cmd->add_option("--epochs", o->epochs, "Most training epochs (500 batches each)")->check(count_from(1))->capture_default_str();
    add_threads_option(cmd, o->threads);
    cmd->add_flag("--quick", o->quick, "A tiny data set and two short epochs: checks the pipeline, learns little");
    cmd->callback([o] {
        namespace fs = std::filesystem;
        using clock = std::chrono::steady_clock;
        const auto started = clock::now();
        auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - started).count(); };
        const fs::path root = o->out, data = root / "data", run = root / "run";
        check_output_directory(root);

        // Explaining: every test pair with the fast methods (tracks, enrichment, the report's example), and a balanced
        // subset of them with all five methods side by side (ISM costs 5,400 forwards a pair).
        explain_request x;
        x.checkpoint = (run / "model.safetensors").string();
        x.genome = (data / "genome.fa").string();
        x.pairs = (data / "pairs.csv").string();
        x.out = (root / "explain").string();
        x.motifs = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
        x.truth = (data / "truth.tsv").string();
        x.grammar = (data / "grammar.tsv").string();
        x.peaks = (data / "occupancy.narrowPeak").string();
        x.threads = o->threads;
        x.methods = "attention,saliency,input_x_gradient";  // each about 5 s on the 38,272 test pairs
        if (o->quick) {
            x.max_pairs = 3000;  // enough positives for TF pairs to co-occur
            x.permutations = 20;
        }
        explain_request all_methods = x;
        all_methods.out = (root / "methods").string();
        all_methods.methods = "attention,saliency,input_x_gradient,integrated_gradients,ism";
        all_methods.max_pairs = o->quick ? 40 : 300;
        all_methods.balanced = true;
        remove_earlier_demo(root, {x, all_methods});

        simulation_options sim;
        sim.out = data.string();
        sim.seed = o->seed;
        sim.overwrite = true;  // the demo replaces its own earlier set
        sim.tiles_path = EPIANN_DATA_DIR "/hg19/targetfinder_tiles.fa.gz";
        sim.motifs_path = x.motifs;
        if (o->quick) {
            sim.enhancers = 2000;
            sim.promoters = 500;
            sim.positives = 1000;
        }
        std::printf("[1/7] simulating the benchmark (%zu enhancers, %zu promoters, %zu positive pairs) in %s\n", sim.enhancers,
                    sim.promoters, sim.positives, data.c_str());
        std::fflush(stdout);
        const auto s = simulate(sim);
        std::fputs(identifiability_warning(s).c_str(), stderr);
        std::printf("      %zu pairs, %zu positive (%zu labels flipped as noise), %lld bp genome, %.0f s\n", s.pairs, s.positives,
                    s.flipped, s.genome_length, elapsed());

        train_request t;
        t.genome = x.genome;
        t.pairs = x.pairs;
        t.model = small_variant::name;
        t.out = run.string();
        t.split = {"chromosome", 0, o->seed, ""};
        t.epochs = o->quick ? 2 : o->epochs;
        t.patience = 4;
        t.steps_per_epoch = o->quick ? 20 : 500;
        t.validation_limit = o->quick ? 1000 : 8000;
        t.seed = o->seed;
        t.threads = o->threads;
        t.augment_negatives = true;
        t.overwrite = true;  // the demo replaces its own earlier run (its data, audit and report are rewritten too)
        std::printf("[2/7] training the %s EPIANN (%zu/%zu bp windows, %zu filters) with chromosomes 1, 10, 15, 21 held out "
                    "for testing and 19, 3, 4, 7, X for validation\n",
                    small_variant::name, std::size_t(small_variant::enhancer_window), std::size_t(small_variant::promoter_window),
                    small_variant::sizes.filters);
        std::fflush(stdout);
        const auto trained = run_training(t, false);
        x.checkpoint = all_methods.checkpoint = trained.model_path.string();
        std::printf("      %zu epochs, %zu examples, best validation AUROC %.3f (epoch %zu), %.0f s\n", trained.epochs,
                    trained.examples, trained.best_validation_auroc, trained.best_epoch, elapsed());

        std::printf("[3/7] evaluating on the held-out chromosomes\n");
        std::fflush(stdout);
        const auto ev = run_evaluation(trained.model_path.string(), t.genome, t.pairs, std::nullopt, o->threads);
        {
            const std::string text = ev.to_json().dump(2) + "\n";
            helix::write_file_atomically(run / "evaluation.json", text);
        }

        std::printf("[4/7] auditing the splits (leak canaries, marginal-motif baseline)\n");
        std::fflush(stdout);
        audit_request a;
        a.pairs = t.pairs;
        a.genome = t.genome;
        a.motifs = x.motifs;
        a.baseline_motifs = x.grammar;
        a.enhancer_window = small_variant::enhancer_window;
        a.promoter_window = small_variant::promoter_window;
        a.splits = {{"chromosome", 0, o->seed, ""}, {"paper", 0, o->seed, ""}};
        const auto audit = run_audit(a);
        {
            const std::string text = audit.to_json().dump(2) + "\n";
            helix::write_file_atomically(root / "audit.json", text);
        }
        std::printf("[5/7] explaining the test pairs: attention, saliency and input x gradient tracks, top regions, motif and TF-pair enrichment\n");
        std::fflush(stdout);
        const auto explained = run_explain(x);
        const auto& recovery = explained.at("recovery");
        auto rank = [](const nlohmann::json& r) { return r.get<int>() > 0 ? std::to_string(r.get<int>()) : std::string("-"); };
        std::string ranks;
        for (const auto& p : recovery.at("planted_pairs"))
            ranks += "    " + planted_pair_label(p) +
                     ": motif ranks " + rank(p.at("enhancer_rank")) + " (enhancers), " + rank(p.at("promoter_rank")) +
                     " (promoters); TF-pair rank " + rank(p.at("tf_pair_rank")) + "\n";

        std::printf("[6/7] comparing all five attribution methods on %zu test pairs, half of them positive\n", all_methods.max_pairs);
        std::fflush(stdout);
        const auto compared = run_explain(all_methods);
        std::string methods_line;  // per-base AUPRC of the planted sites by each method
        for (const auto& [name, m] : compared.at("methods").items()) {
            if (!m.contains("per_base")) continue;
            const auto& e = m.at("per_base").at("enhancer");
            const auto& p = m.at("per_base").at("promoter");
            char buf[200];
            if (methods_line.empty()) {
                std::snprintf(buf, sizeof buf, "Per-base AUPRC of the planted sites in %zu positive test pairs, enhancer / promoter "
                              "(a random score: %.3f / %.3f):\n", m.at("recovery").at("positive_pairs").get<std::size_t>(),
                              e.at("planted_base_fraction").get<double>(), p.at("planted_base_fraction").get<double>());
                methods_line = buf;
            }
            std::snprintf(buf, sizeof buf, "  %-22s %.3f / %.3f\n", name.c_str(), e.at("auprc").get<double>(), p.at("auprc").get<double>());
            methods_line += buf;
        }

        std::printf("[7/7] writing the report\n");
        std::fflush(stdout);
        const report_request report = report_request_for(root);
        const auto drawn = write_report(report);

        double baseline = NAN, overlap = NAN;
        for (const auto& row : audit.rows)
            if (row.split.starts_with("chromosome")) {
                if (row.predictor == "motif baseline") baseline = row.report.auroc;
                if (row.predictor == "overlap") overlap = row.report.auroc;
            }

        std::printf("\nEPIANN on held-out chromosomes (%zu test pairs, %.1f %% positive):\n"
                    "  AUROC %.3f   AUPR %.3f   F1@0.5 %.3f   best F1 %.3f\n"
                    "  marginal-motif baseline AUROC %.3f (sees each element's motifs, not their pairing): the model is %+.3f above it\n"
                    "  overlap canary AUROC %.3f (0.5 means the split does not leak)\n"
                    "What attention found (of %zu motifs):\n"
                    "  top 5 enhancer regions hold a planted cooperating site in %.1f %% of positive pairs (random regions: %.1f %%)\n%s"
                    "  planted TF pairs among the top 15 TF pairs: %d of %zu\n"
                    "  top regions under an occupancy peak: %.1f %% (random regions of the same sizes: %.1f %%)\n%s\n%s\n"
                    "written in %.0f s:\n  %s/          simulated genome, pairs, grammar, planted sites (truth.tsv), README\n"
                    "  %s/           model.safetensors, state.safetensors, log.jsonl, split.tsv, evaluation.json\n"
                    "  %s/audit.json\n  %s/explain/  importance.bw and .bedGraph, top_regions.bed, top_bin_pairs.bedpe/.interact, "
                    "motif_enrichment.tsv, tf_pairs.tsv, example_pair.json, summary.json (attention), and the same files of "
                    "saliency and input x gradient (importance_saliency.bw, ...)\n"
                    "  %s/methods/  the same files of all five methods on %zu test pairs (summary.json: the report's side-by-side table)\n"
                    "  %s  (%zu figures; open it in a browser)\n",
                    ev.report.count, 100 * ev.report.positive_rate, ev.report.auroc, ev.report.aupr, ev.report.f1_at_half,
                    ev.report.best.f1, baseline, ev.report.auroc - baseline, overlap, explained.at("motifs").get<std::size_t>(),
                    100 * recovery.at("top_enhancer_regions_hold_cooperating_site").get<double>(),
                    100 * recovery.at("expected_for_random_regions").get<double>(), ranks.c_str(),
                    recovery.at("planted_pairs_in_top15").get<int>(), recovery.at("planted_pairs").size(),
                    100 * explained.at("open_chromatin").at("top_regions_in_peaks").get<double>(),
                    100 * explained.at("open_chromatin").at("random_regions_in_peaks").get<double>(), methods_line.c_str(),
                    audit.table().c_str(), elapsed(),
                    data.c_str(), run.c_str(), root.c_str(), root.c_str(), root.c_str(), compared.at("pairs").get<std::size_t>(), report.out.c_str(), drawn.figures.size());
    });
}

}  // namespace epiann::cli
