// epiann audit: what a model's figures are worth on a split — predictors that read no sequence, and one that sees each
// element's motifs but not their pairing.
#include <cstdio>

#include <CLI/CLI.hpp>

#include <helix/io/atomic_file.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/output_paths.hpp"
#include "models/catalog.hpp"
#include "pipeline/audit.hpp"

namespace epiann::cli {

void add_audit_command(CLI::App& app) {
    auto r = std::make_shared<audit_request>();
    auto split = std::make_shared<std::string>("both");
    auto fold = std::make_shared<int>(0);
    auto seed = std::make_shared<std::uint64_t>(1);
    auto out = std::make_shared<std::string>();
    auto model = std::make_shared<std::string>();
    r->motifs = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
    auto* cmd = app.add_subcommand("audit", "Leak canaries and the marginal-motif baseline under the paper's and the chromosome split");
    cmd->add_option("--pairs", r->pairs, "Labelled pairs (TargetFinder CSV)")->required();
    auto* genome = cmd->add_option("--genome", r->genome, "Genome: adds the marginal-motif baseline (scans every element window)");
    cmd->add_option("--motifs", r->motifs, "JASPAR .pfm motifs for the baseline")->capture_default_str();
    cmd->add_option("--baseline-motifs", r->baseline_motifs, "Only the motifs named in this file (e.g. a grammar.tsv); default all")
        ->needs(genome);
    cmd->add_option("--split", *split, "paper, chromosome or both")->check(CLI::IsMember({"paper", "chromosome", "both"}))->capture_default_str();
    cmd->add_option("--fold", *fold, "Chromosome fold held out (0-4)")->check(CLI::Range(0, 4))->capture_default_str();
    cmd->add_option("--split-seed", *seed, "Seed of the paper split")->check(count_from(0))->capture_default_str();
    cmd->add_option("--enhancer-window", r->enhancer_window, "Enhancer window (bp)")->check(count_from(1))->capture_default_str();
    cmd->add_option("--promoter-window", r->promoter_window, "Promoter window (bp)")->check(count_from(1))->capture_default_str();
    cmd->add_option("--model", *model, "Take the windows of this model (" + model_names() + ") instead")
        ->excludes("--enhancer-window")
        ->excludes("--promoter-window");
    cmd->add_option("--out", *out, "Also write the figures as JSON here");
    cmd->callback([r, split, fold, seed, out, model, cmd] {
        if (!model->empty()) {
            const model_entry& m = find_model(*model);
            r->enhancer_window = (long long)m.enhancer_window;
            r->promoter_window = (long long)m.promoter_window;
        }
        if (cmd->count("--fold") && *split == "paper")
            throw input_error("audit: --fold chooses the held-out chromosomes: it has no meaning with --split paper");
        if (cmd->count("--split-seed") && *split == "chromosome")
            throw input_error("audit: --split-seed seeds the paper split: it has no meaning with --split chromosome");
        if (!out->empty()) {
            auto inputs = genome_inputs(r->genome);
            for (const named_path& input : std::vector<named_path>{{"--pairs", r->pairs}, {"--motifs", r->motifs}, {"--baseline-motifs", r->baseline_motifs}})
                inputs.push_back(input);
            refuse_overwriting_inputs(inputs, {{"--out", *out}});
        }
        if (*split != "chromosome") r->splits.push_back({"paper", 0, *seed, ""});
        if (*split != "paper") r->splits.push_back({"chromosome", *fold, *seed, ""});
        const auto result = run_audit(*r);
        std::printf("%s", result.table().c_str());
        if (!out->empty()) {
            const std::string text = result.to_json().dump(2) + "\n";
            remove_stale_temporaries_of({{"--out", *out}});
            helix::write_file_atomically(*out, text);
        }
    });
}

}  // namespace epiann::cli
