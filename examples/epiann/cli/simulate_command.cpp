// epiann simulate: write the generated benchmark (simulate/simulation.hpp).
#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "simulate/simulation.hpp"

namespace epiann::cli {

void add_simulate_command(CLI::App& app) {
    auto o = std::make_shared<simulation_options>();
    o->tiles_path = EPIANN_DATA_DIR "/hg19/targetfinder_tiles.fa.gz";
    o->motifs_path = EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm";
    auto* cmd = app.add_subcommand("simulate", "Generate a benchmark genome and pairs with a known regulatory grammar");
    cmd->add_option("--out", o->out, "Output directory")->required();
    cmd->add_option("--seed", o->seed, "Random seed (same seed and options: byte-identical files)")->check(count_from(0))->capture_default_str();
    cmd->add_flag("--overwrite", o->overwrite, "Replace a simulated set already in --out (refused otherwise)");
    cmd->add_option("--enhancers", o->enhancers, "Number of enhancers")->check(count_from(1))->capture_default_str();
    cmd->add_option("--promoters", o->promoters, "Number of promoters")->check(count_from(1))->capture_default_str();
    cmd->add_option("--positives", o->positives, "Number of distinct positive pairs")->check(count_from(1))->capture_default_str();
    cmd->add_option("--negatives-per-positive", o->negatives_per_positive, "Negatives per positive")->check(count_from(1))->capture_default_str();
    cmd->add_option("--min-motifs", o->min_motifs, "Fewest distinct motifs per element")->check(count_from(1))->capture_default_str();
    cmd->add_option("--max-motifs", o->max_motifs, "Most distinct motifs per element")->check(count_from(1))->capture_default_str();
    cmd->add_option("--sites-per-motif", o->sites_per_motif, "Planted copies of each motif")->check(count_from(1))->capture_default_str();
    cmd->add_option("--site-strength", o->site_strength, "consensus, or sampled from the PWM")->capture_default_str();
    cmd->add_option("--site-radius", o->site_radius, "Sites lie within this many bp of the element's centre")->capture_default_str();
    cmd->add_option("--label-noise", o->label_noise, "Fraction of positives flipped (and as many negatives)")->capture_default_str();
    cmd->add_option("--bound-fraction", o->bound_fraction, "Planted sites under an occupancy peak")->capture_default_str();
    cmd->add_option("--background-peaks", o->background_peaks, "Random occupancy peaks per bound site")->capture_default_str();
    cmd->add_option("--grammar", o->grammar_path, "Grammar file (cooperates/decoy lines); default: the built-in grammar");
    cmd->add_option("--tiles", o->tiles_path, "Background tiles (FASTA, gzip allowed)")->capture_default_str();
    cmd->add_option("--motifs", o->motifs_path, "JASPAR .pfm motifs")->capture_default_str();
    cmd->callback([o] {
        const auto started = std::chrono::steady_clock::now();
        const auto s = simulate(*o);
        std::fputs(identifiability_warning(s).c_str(), stderr);
        if (const std::size_t asked = o->positives * o->negatives_per_positive, made = s.pairs - s.positives; made < asked)
            std::fprintf(stderr, "warning: %zu negative pairs made of the %zu asked for (%zu per positive): the layout has no "
                                 "more candidates at the positives' distances\n", made, asked, o->negatives_per_positive);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::printf("simulated %lld bp, %zu pairs (%zu positive, %zu labels flipped), %zu planted sites, %zu occupancy peaks in "
                    "%.1f s: %s\n",
                    s.genome_length, s.pairs, s.positives, s.flipped, s.sites, s.peaks, seconds, o->out.c_str());
    });
}

}  // namespace epiann::cli
