// epiann windows: the windows of a pair file as TSV, so a user can see exactly what the model reads.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/output_file.hpp"
#include "common/output_paths.hpp"
#include "data/splits.hpp"
#include "data/windows.hpp"
#include "genome/genome.hpp"

namespace epiann::cli {

void add_windows_command(CLI::App& app) {
    struct options {
        std::string pairs, genome, chrom_sizes, split, out;
        int fold = 0;
        std::uint64_t seed = 1;
        long long enhancer_window = 3000, promoter_window = 2000;
        bool augment = false;
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("windows", "Write the windows of a pair file as TSV (0-based half-open), one line per window");
    cmd->add_option("--pairs", o->pairs, "Pair file: TargetFinder CSV or BEDPE")->required();
    auto* genome = cmd->add_option("--genome", o->genome, "Genome (FASTA + .fai, bgzipped FASTA, or .2bit): chromosome lengths");
    auto* sizes = cmd->add_option("--chrom-sizes", o->chrom_sizes, "chrom.sizes file, instead of a genome");
    genome->excludes(sizes);
    auto* split_option = cmd->add_option("--split", o->split, "Also assign each pair to train/validation/test: paper or chromosome")
                             ->check(CLI::IsMember({"paper", "chromosome"}));
    cmd->add_option("--fold", o->fold, "Chromosome fold held out as test (0-4)")->check(CLI::Range(0, 4))->needs(split_option);
    cmd->add_option("--seed", o->seed, "Seed of the paper split")->check(count_from(0))->needs(split_option);
    cmd->add_option("--enhancer-window", o->enhancer_window, "Enhancer window length (bp)")->check(count_from(1));
    cmd->add_option("--promoter-window", o->promoter_window, "Promoter window length (bp)")->check(count_from(1));
    cmd->add_flag("--augment", o->augment, "Add the shifted windows of training positives (needs --split)");
    cmd->add_option("--out", o->out, "Output TSV")->required();
    cmd->callback([o, cmd] {
        if (o->genome.empty() && o->chrom_sizes.empty()) throw input_error("windows: give --genome or --chrom-sizes");
        if (o->augment && o->split.empty()) throw input_error("windows: --augment needs --split (only training positives are augmented)");
        if (cmd->count("--fold") && o->split != "chromosome")
            throw input_error("windows: --fold chooses the held-out chromosomes of --split chromosome");
        if (cmd->count("--seed") && o->split != "paper") throw input_error("windows: --seed seeds the random --split paper");
        auto inputs = genome_inputs(o->genome);
        inputs.push_back({"--pairs", o->pairs});
        inputs.push_back({"--chrom-sizes", o->chrom_sizes});
        refuse_overwriting_inputs(inputs, {{"--out", o->out}});
        const pair_file pairs = read_pairs(o->pairs);
        if (pairs.duplicates > 0) std::fprintf(stderr, "%s\n", pairs.duplicates_note().c_str());
        std::unique_ptr<epiann::genome> g;
        chromosome_lengths lengths;
        if (!o->genome.empty()) {
            g = genome::open(o->genome);
            lengths = [&g](const std::string& n) { return g->length(n); };
        } else {
            lengths = read_chromosome_sizes(o->chrom_sizes);
        }
        window_options wo;
        wo.enhancer_length = o->enhancer_window;
        wo.promoter_length = o->promoter_window;
        std::optional<split> s;
        if (!o->split.empty()) s = make_split(pairs, o->split, o->fold, o->seed);
        remove_stale_temporaries_of({{"--out", o->out}});
        output_file text(o->out);  // streamed: millions of pairs give hundreds of MB of TSV
        text << "pair\tlabel\toffset\tenhancer_chrom\tenhancer_start\tenhancer_end\tpromoter_chrom\tpromoter_start\tpromoter_end\t"
                "enhancer_element_start\tenhancer_element_end\tpromoter_element_start\tpromoter_element_end";
        text << (s ? "\tset\n" : "\n");
        std::string line;
        std::size_t moved = 0, count = 0;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
            const auto& p = pairs.pairs[i];
            std::vector<long long> offsets{0};
            if (o->augment && s->sets[i] == pair_set::train && p.label == 1) offsets = wo.augmentation_offsets;
            for (long long offset : offsets) {
                const auto w = make_pair_windows(p, wo, offset, lengths, pairs.path);
                moved += w.enhancer.moved_inside + w.promoter.moved_inside;
                ++count;
                line = std::to_string(i) + '\t' + std::to_string(p.label) + '\t' + std::to_string(offset) + '\t' +
                        w.enhancer.span.chromosome + '\t' + std::to_string(w.enhancer.span.start) + '\t' +
                        std::to_string(w.enhancer.span.end) + '\t' + w.promoter.span.chromosome + '\t' +
                        std::to_string(w.promoter.span.start) + '\t' + std::to_string(w.promoter.span.end) + '\t' +
                        std::to_string(w.enhancer.element_start) + '\t' + std::to_string(w.enhancer.element_end) + '\t' +
                        std::to_string(w.promoter.element_start) + '\t' + std::to_string(w.promoter.element_end);
                line += s ? std::string("\t") + set_name(s->sets[i]) + "\n" : "\n";
                text << line;
            }
        }
        text.commit();
        std::printf("wrote %zu windows of %zu pairs to %s", count, pairs.pairs.size(), o->out.c_str());
        if (moved > 0) std::printf(" (%zu windows moved inside their chromosome's ends)", moved);
        std::printf("\n");
    });
}

}  // namespace epiann::cli
