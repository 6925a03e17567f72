// epiann compare: the published architectures trained and scored on equal terms (pipeline/compare.hpp).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "models/catalog.hpp"
#include "pipeline/compare.hpp"

namespace epiann::cli {

void add_compare_command(CLI::App& app) {
    auto r = std::make_shared<compare_request>();
    auto split = std::make_shared<std::string>("both");
    auto fold = std::make_shared<int>(0);
    auto seed = std::make_shared<std::uint64_t>(1);
    r->motifs = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
    auto* cmd = app.add_subcommand("compare", "Train several models with the same split, budget and seed; one table beside the "
                                              "leak canaries and the marginal-motif baseline");
    cmd->add_option("--genome", r->genome, "Genome: FASTA + .fai, bgzipped FASTA, or .2bit")->required();
    cmd->add_option("--pairs", r->pairs, "Labelled pairs (TargetFinder CSV)")->required();
    cmd->add_option("--models", r->models, "Models, comma-separated: " + model_names())->delimiter(',')->required();
    cmd->add_option("--out", r->out, "Directory for compare.tsv, compare.json, compare.md and one run per split and model")->required();
    cmd->add_flag("--overwrite", r->overwrite, "Replace a comparison already in --out");
    cmd->add_option("--split", *split, "chromosome, paper or both (chromosome first)")
        ->check(CLI::IsMember({"paper", "chromosome", "both"}))
        ->capture_default_str();
    cmd->add_option("--fold", *fold, "Chromosome fold held out as test (0-4)")->check(CLI::Range(0, 4))->capture_default_str();
    cmd->add_option("--split-seed", *seed, "Seed of the paper split")->check(count_from(0))->capture_default_str();
    cmd->add_option("--examples", r->examples, "Training examples per model (the budget: epochs x batches x 64)")
        ->check(count_from(64))
        ->capture_default_str();
    cmd->add_option("--epochs", r->epochs, "Epochs the budget is spread over (the best by validation AUROC is kept)")
        ->check(count_from(1))
        ->capture_default_str();
    cmd->add_option("--validation-limit", r->validation_limit, "Validation pairs scored per epoch")->check(count_from(1))->capture_default_str();
    cmd->add_option("--seed", r->seed, "Seed of initialisation, batches and dropout (the same for every model)")
        ->check(count_from(0))
        ->capture_default_str();
    cmd->add_option("--motifs", r->motifs, "JASPAR .pfm motifs for the baseline")->capture_default_str();
    cmd->add_option("--baseline-motifs", r->baseline_motifs, "Only the motifs named in this file (e.g. a grammar.tsv); default all");
    add_threads_option(cmd, r->threads)->capture_default_str();
    cmd->callback([r, split, fold, seed, cmd] {
        if (cmd->count("--fold") && *split == "paper")
            throw input_error("compare: --fold chooses the held-out chromosomes: it has no meaning with --split paper");
        if (*split != "paper") r->splits.push_back({"chromosome", *fold, *seed, ""});
        if (*split != "chromosome") r->splits.push_back({"paper", 0, *seed, ""});
        const auto result = run_compare(*r);
        std::printf("%s", result.markdown.c_str());
    });
}

}  // namespace epiann::cli
