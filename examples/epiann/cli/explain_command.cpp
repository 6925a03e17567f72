// epiann explain: attention and attribution tracks, top regions, motif and TF-pair enrichment (pipeline/explain.hpp).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "device/device.hpp"
#include "pipeline/explain.hpp"

namespace epiann::cli {

void add_explain_command(CLI::App& app) {
    auto r = std::make_shared<explain_request>();
    r->motifs = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
    auto* cmd = app.add_subcommand("explain", "Attention and attribution tracks, top regions, motif and TF-pair enrichment of a trained model");
    cmd->add_option("--checkpoint", r->checkpoint, "Model checkpoint (RUN/model.safetensors)")->required();
    cmd->add_option("--genome", r->genome, "Genome")->required();
    cmd->add_option("--pairs", r->pairs, "Labelled pairs (TargetFinder CSV)")->required();
    cmd->add_option("--out", r->out, "Output directory")->required();
    cmd->add_option("--set", r->set, "Which pairs: test (the checkpoint's split) or all")->check(CLI::IsMember({"test", "all"}))->capture_default_str();
    auto* max_pairs = cmd->add_option("--max-pairs", r->max_pairs, "At most this many pairs (a stratified subset; 0: all)")
                          ->check(count_from(0))
                          ->capture_default_str();
    cmd->add_flag("--balanced", r->balanced,
                  "With --max-pairs: as many positive as negative pairs (as far as the positives go) instead of each class's "
                  "share: more positives for the recovery figures of the costly methods")
        ->needs(max_pairs);
    cmd->add_option("--top-regions", r->top_regions, "Top attention regions per element")->check(count_from(1))->capture_default_str();
    cmd->add_option("--motifs", r->motifs, "JASPAR .pfm motifs to scan with")->capture_default_str();
    cmd->add_option("--p-value", r->p_value, "Motif site threshold")
        ->check(number_in(0, 1, "a p-value above 0 and at most 1", true))
        ->capture_default_str();
    cmd->add_option("--permutations", r->permutations, "Random placements for the enrichment null")
        ->check(count_from(1))
        ->capture_default_str();
    cmd->add_flag("--all-sites", r->all_sites, "Keep every motif hit (default: the most significant of overlapping hits)");
    cmd->add_option("--peaks", r->peaks, "narrowPeak/BED of open chromatin (DNase, ATAC): overlap of the top regions");
    auto* truth = cmd->add_option("--truth", r->truth, "A simulated set's truth.tsv: measure recovery of the planted grammar");
    auto* grammar = cmd->add_option("--grammar", r->grammar, "A simulated set's grammar.tsv (with --truth)");
    truth->needs(grammar);
    grammar->needs(truth);
    cmd->add_option("--methods", r->methods,
                    "Comma-separated: attention (one forward per pair), saliency and input_x_gradient (one forward and "
                    "backward), integrated_gradients (--steps of them), ism (3 forwards per base: 5,400 per pair of the "
                    "small model's windows). Default: attention where the model has it, plus input_x_gradient where "
                    "gradients reach the bases (not the 6-mer models)");
    cmd->add_option("--steps", r->steps, "Integrated gradients: points on the path from the reference")
        ->check(count_from(1))
        ->capture_default_str();
    cmd->add_option("--reference", r->reference, "Integrated gradients: shuffle (dinucleotide-shuffled windows) or zero")
        ->check(CLI::IsMember({"shuffle", "zero"}))
        ->capture_default_str();
    cmd->add_option("--vary", r->vary, "Integrated gradients: the sides that move from the reference (the others stay)")
        ->check(CLI::IsMember({"both", "enhancer", "promoter"}))
        ->capture_default_str();
    cmd->add_flag("--modisco", r->modisco,
                  "Also write TF-MoDISco's inputs for the positive pairs: modisco_<side>_sequences.npz and, per method "
                  "with a score for every letter (saliency, input_x_gradient, ism), modisco_<method>_<side>.npz "
                  "(hypothetical contributions, N x 4 x L; docs/05-epiann.md has the modisco command)");
    add_threads_option(cmd, r->threads);
    cmd->add_option("--device", r->device, "Compute on cpu or cuda (needs an epiann built with CUDA and a GPU)")
        ->check(CLI::IsMember({"cpu", "cuda"}))
        ->capture_default_str();
    cmd->callback([r] {
        require_device(parse_device(r->device));
        const auto summary = run_explain(*r);
        std::printf("%s\nwrote importance[_METHOD].bedGraph and .bw, top_regions[_METHOD].bed, motif_enrichment[_METHOD].tsv, "
                    "tf_pairs[_METHOD].tsv (attention without a suffix), top_bin_pairs.bedpe/.interact and example_pair.json "
                    "(attention), summary.json to %s\n",
                    summary.dump(2).c_str(), r->out.c_str());
    });
}

}  // namespace epiann::cli
