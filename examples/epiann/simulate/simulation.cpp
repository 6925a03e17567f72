#include "simulate/simulation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <numeric>

#include <helix/core/rng.hpp>
#include <helix/io/atomic_file.hpp>

#include "common/output_paths.hpp"

#include "common/errors.hpp"
#include "common/line_reader.hpp"
#include "motifs/attribution.hpp"
#include "motifs/pfm.hpp"
#include "simulate/grammar.hpp"

namespace epiann {
namespace {

// Relative sizes of the simulated chromosomes: hg19's, in Mb.
constexpr std::array<std::pair<const char*, double>, 23> chromosome_shares = {{
    {"chr1", 249}, {"chr2", 243}, {"chr3", 198}, {"chr4", 191}, {"chr5", 181}, {"chr6", 171}, {"chr7", 159},
    {"chr8", 146}, {"chr9", 141}, {"chr10", 136}, {"chr11", 135}, {"chr12", 134}, {"chr13", 115}, {"chr14", 107},
    {"chr15", 103}, {"chr16", 90}, {"chr17", 81}, {"chr18", 78}, {"chr19", 59}, {"chr20", 63}, {"chr21", 48},
    {"chr22", 51}, {"chrX", 155},
}};

constexpr long long min_distance = 10000, max_distance = 2000000;

struct site {
    std::size_t motif;
    long long start;  // genome coordinate
    std::string bases;
    char strand;
};

struct element {
    bool enhancer;
    std::size_t chromosome;
    long long start, end;
    std::vector<std::size_t> motifs;
    std::vector<site> sites;
    long long middle() const { return (start + end) / 2; }
};

std::string element_name(const element& e) {
    return "SIM|" + std::string(chromosome_shares[e.chromosome].first) + ":" + std::to_string(e.start) + "-" + std::to_string(e.end);
}

std::vector<std::string> read_tiles(const std::string& path) {
    std::vector<std::string> tiles;
    line_reader in(path);
    while (auto line = in.next()) {
        if (line->empty()) continue;
        if (line->front() == '>') {
            tiles.emplace_back();
            continue;
        }
        if (tiles.empty()) throw in.error("expected a FASTA header ('>') first");
        for (char c : *line) tiles.back() += char(std::toupper(static_cast<unsigned char>(c)));
    }
    std::erase_if(tiles, [](const std::string& t) { return t.size() < 50 || t.find_first_not_of("ACGT") != std::string::npos; });
    if (tiles.empty()) throw input_error_at(path, 0, "no usable background tiles (A/C/G/T sequences of 50 bp or more)");
    return tiles;
}


void check_options(const simulation_options& o, const grammar& g) {
    auto fail = [](const std::string& m) { throw input_error("simulate: " + m); };
    if (o.enhancers == 0 || o.promoters == 0) fail("--enhancers and --promoters must be positive");
    if (o.positives == 0 || o.negatives_per_positive == 0) fail("--positives and --negatives-per-positive must be positive");
    if (o.min_motifs == 0 || o.min_motifs > o.max_motifs) fail("need 1 <= --min-motifs <= --max-motifs");
    if (o.max_motifs > g.enhancer_pool().size() || o.max_motifs > g.promoter_pool().size())
        fail("--max-motifs " + std::to_string(o.max_motifs) + " exceeds the motifs the grammar plants on a side (" +
             std::to_string(std::min(g.enhancer_pool().size(), g.promoter_pool().size())) + ")");
    if (o.sites_per_motif == 0) fail("--sites-per-motif must be positive");
    if (o.site_strength != "consensus" && o.site_strength != "sampled") fail("--site-strength must be consensus or sampled");
    if (!(o.label_noise >= 0 && o.label_noise < 0.5)) fail("--label-noise must lie in [0, 0.5)");
    if (o.site_radius < 50) fail("--site-radius must be at least 50 bp");
    if (!(o.bound_fraction >= 0 && o.bound_fraction <= 1)) fail("--bound-fraction must lie in [0, 1]");
    if (!(o.background_peaks >= 0 && o.background_peaks <= 100)) fail("--background-peaks must lie in [0, 100]");
}

// One site of motif `m` on the forward strand: its consensus, or bases drawn from its PWM.
std::string draw_site(const motif& m, const std::string& strength, helix::counter_rng& rng) {
    if (strength == "consensus") return m.consensus();
    std::string bases;
    for (const auto& row : m.probabilities(0.0).probabilities) {
        double u = rng.next_uniform();
        std::size_t b = 0;
        while (b < 3 && u >= row[b]) u -= row[b++];
        bases += "ACGT"[b];
    }
    return bases;
}

// k distinct items of `pool`, in pool order.
std::vector<std::size_t> choose(const std::vector<std::size_t>& pool, std::size_t k, helix::counter_rng& rng) {
    std::vector<std::size_t> order(pool.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < k; ++i) std::swap(order[i], order[i + rng.next_below(order.size() - i)]);
    order.resize(k);
    std::sort(order.begin(), order.end());
    std::vector<std::size_t> out;
    for (auto i : order) out.push_back(pool[i]);
    return out;
}

// How the motif scan of `epiann explain` reads each planted motif's sites (motifs/attribution.hpp). Motif
// enrichment can only rank a planted motif first when its sites read as itself rather than a look-alike.
simulation_summary check_identifiable(const simulation_options& o, const grammar& g, const std::vector<motif>& motifs) {
    simulation_summary summary;
    std::vector<position_matrix> matrices;
    for (const auto& m : motifs) matrices.push_back(m.probabilities());
    const motif_scanner scanner(std::move(matrices));
    helix::counter_rng rng(o.seed, 8);
    std::vector<std::size_t> planted = g.enhancer_pool();
    for (auto m : g.promoter_pool())
        if (std::find(planted.begin(), planted.end(), m) == planted.end()) planted.push_back(m);
    for (auto m : planted) {
        std::vector<std::string> sites(16);
        for (auto& site : sites) site = draw_site(motifs[m], o.site_strength, rng);
        auto a = attribute_sites(scanner, m, sites, o.seed);
        summary.identifiability.push_back(describe(a, scanner));
        if (a.own_fraction() < 0.5)
            summary.unidentifiable.push_back(motifs[m].name + " (" + motifs[m].id + ")");
    }
    return summary;
}

}  // namespace

simulation_summary simulate(const simulation_options& o) {
    namespace fs = std::filesystem;
    const fs::path dir = o.out;
    std::vector<named_path> outputs;
    for (const char* name : {"genome.fa", "genome.fa.fai", "pairs.csv", "grammar.tsv", "truth.tsv", "occupancy.narrowPeak", "README"})
        outputs.push_back({std::string(name) + " in --out", dir / name});
    refuse_overwriting_inputs({{"--tiles", o.tiles_path}, {"--motifs", o.motifs_path}, {"--grammar", o.grammar_path}}, outputs);
    check_output_directory(dir);
    if (!o.overwrite)
        for (const auto& out : outputs)
            if (std::filesystem::exists(out.path))
                throw input_error(dir.string() + " holds a simulated set already (" + out.path.filename().string() +
                                  "): give --overwrite to replace it, or choose another --out");
    const auto motifs = read_jaspar(o.motifs_path);
    const grammar g = o.grammar_path.empty() ? default_grammar(motifs) : read_grammar(o.grammar_path, motifs);
    check_options(o, g);
    auto summary = check_identifiable(o, g, motifs);
    const auto tiles = read_tiles(o.tiles_path);
    const auto enhancer_pool = g.enhancer_pool(), promoter_pool = g.promoter_pool();
    helix::counter_rng layout_rng(o.seed, 1), motif_rng(o.seed, 2), site_rng(o.seed, 3), background_rng(o.seed, 4),
        pair_rng(o.seed, 5), noise_rng(o.seed, 6), peak_rng(o.seed, 7);

    // Layout: elements in random order, spread over the chromosomes by their share, with gaps between them.
    std::vector<element> elements(o.enhancers + o.promoters);
    for (std::size_t i = 0; i < elements.size(); ++i) elements[i].enhancer = i < o.enhancers;
    for (std::size_t i = elements.size(); i > 1; --i) std::swap(elements[i - 1], elements[layout_rng.next_below(i)]);
    double total_share = 0;
    for (const auto& [name, share] : chromosome_shares) total_share += share;
    std::vector<long long> chromosome_length(chromosome_shares.size());
    std::size_t next = 0;
    double cumulative = 0;
    for (std::size_t c = 0; c < chromosome_shares.size(); ++c) {
        cumulative += chromosome_shares[c].second;
        const auto last = c + 1 == chromosome_shares.size() ? elements.size()
                                                             : std::size_t(std::llround(double(elements.size()) * cumulative / total_share));
        long long cursor = 20000;
        for (; next < last; ++next) {
            auto& e = elements[next];
            e.chromosome = c;
            cursor += 1500 + (long long)layout_rng.next_below(2000);
            const long long length = 200 * (1 + (long long)layout_rng.next_below(10));
            e.start = cursor;
            e.end = cursor + length;
            cursor = e.end;
        }
        chromosome_length[c] = cursor + 20000;
    }

    // Motifs and their sites, near each element's centre.
    for (auto& e : elements) {
        const auto& pool = e.enhancer ? enhancer_pool : promoter_pool;
        const std::size_t k = o.min_motifs + motif_rng.next_below(o.max_motifs - o.min_motifs + 1);
        e.motifs = choose(pool, k, motif_rng);
        const long long lo = std::max(e.start, e.middle() - o.site_radius), hi = std::min(e.end, e.middle() + o.site_radius);
        for (auto m : e.motifs) {
            for (std::size_t copy = 0; copy < o.sites_per_motif; ++copy) {
                std::string bases = draw_site(motifs[m], o.site_strength, site_rng);
                const char strand = site_rng.next_below(2) ? '-' : '+';
                if (strand == '-') bases = reverse_complement(bases);
                const auto length = (long long)bases.size();
                bool placed = false;
                for (int attempt = 0; attempt < 200 && !placed; ++attempt) {
                    const long long a = attempt < 100 ? lo : e.start, b = attempt < 100 ? hi : e.end;  // then anywhere in it
                    if (b - a < length) continue;
                    const long long s = a + (long long)site_rng.next_below(std::uint64_t(b - a - length + 1));
                    const bool free = std::none_of(e.sites.begin(), e.sites.end(), [&](const site& x) {
                        return s < x.start + (long long)x.bases.size() + 2 && x.start < s + length + 2;
                    });
                    if (free) {
                        e.sites.push_back({m, s, bases, strand});
                        placed = true;
                    }
                }
                if (!placed)
                    throw input_error("simulate: cannot fit " + std::to_string(e.motifs.size() * o.sites_per_motif) +
                                      " sites into a " + std::to_string(e.end - e.start) +
                                      " bp element; use fewer motifs or sites per element");
                ++summary.sites;
            }
        }
    }

    // Background from real tiles, then the sites on top.
    std::vector<std::string> sequence(chromosome_shares.size());
    for (std::size_t c = 0; c < sequence.size(); ++c) {
        auto& s = sequence[c];
        s.reserve(std::size_t(chromosome_length[c]));
        while ((long long)s.size() < chromosome_length[c]) {
            const auto& tile = tiles[background_rng.next_below(tiles.size())];
            s += background_rng.next_below(2) ? reverse_complement(tile) : tile;
        }
        s.resize(std::size_t(chromosome_length[c]));
        summary.genome_length += chromosome_length[c];
    }
    for (const auto& e : elements)
        for (const auto& x : e.sites) sequence[e.chromosome].replace(std::size_t(x.start), x.bases.size(), x.bases);

    // Candidate pairs on the same chromosome, 10 kb-2 Mb apart, labelled by the grammar, binned by distance.
    constexpr int bins = 16;
    auto bin_of = [](long long d) {
        const double t = std::log(double(d) / min_distance) / std::log(double(max_distance) / min_distance);
        return std::clamp(int(t * bins), 0, bins - 1);
    };
    std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> positive_candidates(bins), negative_candidates(bins);
    std::vector<std::vector<std::uint32_t>> enhancers_on(chromosome_shares.size());
    for (std::uint32_t i = 0; i < elements.size(); ++i)
        if (elements[i].enhancer) enhancers_on[elements[i].chromosome].push_back(i);
    for (std::uint32_t p = 0; p < elements.size(); ++p) {
        const auto& promoter = elements[p];
        if (promoter.enhancer) continue;
        for (auto e : enhancers_on[promoter.chromosome]) {
            const long long d = std::abs(elements[e].middle() - promoter.middle());
            if (d < min_distance || d > max_distance) continue;
            (g.interacts(elements[e].motifs, promoter.motifs) ? positive_candidates : negative_candidates)[std::size_t(bin_of(d))]
                .emplace_back(e, p);
        }
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> all_positive;
    for (const auto& b : positive_candidates) all_positive.insert(all_positive.end(), b.begin(), b.end());
    if (all_positive.size() < o.positives)
        throw input_error("simulate: the grammar allows only " + std::to_string(all_positive.size()) + " positive pairs; ask for fewer "
                          "positives or more elements");
    // Positives: uniform among the rule's positive pairs. Negatives: the same distance profile, `ratio` times more.
    for (std::size_t i = 0; i < o.positives; ++i)
        std::swap(all_positive[i], all_positive[i + pair_rng.next_below(all_positive.size() - i)]);
    all_positive.resize(o.positives);
    std::array<std::size_t, bins> wanted{};
    for (const auto& [e, p] : all_positive)
        ++wanted[std::size_t(bin_of(std::abs(elements[e].middle() - elements[p].middle())))];
    struct chosen_pair {
        std::uint32_t enhancer, promoter;
        int rule_label, label;
    };
    std::vector<chosen_pair> pairs;
    for (const auto& [e, p] : all_positive) pairs.push_back({e, p, 1, 1});
    for (int b = 0; b < bins; ++b) {
        auto& candidates = negative_candidates[std::size_t(b)];
        const std::size_t n = std::min(candidates.size(), wanted[std::size_t(b)] * o.negatives_per_positive);
        for (std::size_t i = 0; i < n; ++i) {
            std::swap(candidates[i], candidates[i + pair_rng.next_below(candidates.size() - i)]);
            pairs.push_back({candidates[i].first, candidates[i].second, 0, 0});
        }
    }
    // Label noise: as many negatives become positive as positives become negative.
    std::vector<std::size_t> positive_index, negative_index;
    for (std::size_t i = 0; i < pairs.size(); ++i) (pairs[i].label ? positive_index : negative_index).push_back(i);
    summary.flipped = std::size_t(std::llround(o.label_noise * double(o.positives)));
    for (auto* list : {&positive_index, &negative_index})
        for (std::size_t i = 0; i < summary.flipped && i < list->size(); ++i) {
            std::swap((*list)[i], (*list)[i + noise_rng.next_below(list->size() - i)]);
            pairs[(*list)[i]].label = 1 - pairs[(*list)[i]].label;
        }
    std::sort(pairs.begin(), pairs.end(), [&](const chosen_pair& a, const chosen_pair& b) {
        const auto& ea = elements[a.enhancer];
        const auto& eb = elements[b.enhancer];
        if (ea.chromosome != eb.chromosome) return ea.chromosome < eb.chromosome;
        if (ea.start != eb.start) return ea.start < eb.start;
        return elements[a.promoter].start < elements[b.promoter].start;
    });
    summary.pairs = pairs.size();
    for (const auto& p : pairs) summary.positives += p.label;

    // Files: all of them appear together at the end, or none (and no empty directory) when something fails.
    new_output_directory directory(dir);
    remove_stale_temporaries_of(outputs);
    helix::commit_group together;
    {
        std::string fasta, fai;
        fasta.reserve(std::size_t(summary.genome_length + summary.genome_length / 60 + 1000));
        for (std::size_t c = 0; c < sequence.size(); ++c) {
            const std::string name = chromosome_shares[c].first;
            fasta += ">" + name + "\n";
            fai += name + "\t" + std::to_string(sequence[c].size()) + "\t" + std::to_string(fasta.size()) + "\t60\t61\n";
            for (std::size_t i = 0; i < sequence[c].size(); i += 60) {
                fasta.append(sequence[c], i, 60);
                fasta += '\n';
            }
        }
        helix::write_file_atomically(dir / "genome.fa", fasta);
        helix::write_file_atomically(dir / "genome.fa.fai", fai);  // after the FASTA: an index never describes a file not yet there
    }
    std::string csv = "enhancer_name,promoter_name,label,rule_label\n";
    for (const auto& p : pairs)
        csv += element_name(elements[p.enhancer]) + "," + element_name(elements[p.promoter]) + "," + std::to_string(p.label) +
               "," + std::to_string(p.rule_label) + "\n";
    helix::write_file_atomically(dir / "pairs.csv", csv);
    helix::write_file_atomically(dir / "grammar.tsv", grammar_text(g, motifs));
    std::string truth = "element\tside\tmotif\ttf\tstrand\tchrom\tstart\tend\tcooperating\n";
    std::vector<bool> cooperating_e(motifs.size()), cooperating_p(motifs.size());
    for (const auto& [a, b] : g.cooperating) cooperating_e[a] = cooperating_p[b] = true;
    for (const auto& e : elements)
        for (const auto& x : e.sites)
            truth += element_name(e) + "\t" + (e.enhancer ? "enhancer" : "promoter") + "\t" + motifs[x.motif].id + "\t" +
                     motifs[x.motif].name + "\t" + x.strand + "\t" + chromosome_shares[e.chromosome].first + "\t" +
                     std::to_string(x.start) + "\t" + std::to_string(x.start + (long long)x.bases.size()) + "\t" +
                     ((e.enhancer ? cooperating_e : cooperating_p)[x.motif] ? "yes" : "no") + "\n";
    helix::write_file_atomically(dir / "truth.tsv", truth);
    // Occupancy peaks: most planted sites bound, the rest not, plus background peaks; sorted as a browser wants.
    struct peak {
        std::size_t chromosome;
        long long start, end;
    };
    std::vector<peak> peaks;
    std::size_t bound = 0;
    for (const auto& e : elements)
        for (const auto& x : e.sites) {
            if (peak_rng.next_uniform() >= o.bound_fraction) continue;
            const long long width = 80 + (long long)peak_rng.next_below(71);  // narrow: neighbouring sites stay distinct
            const long long centre = x.start + (long long)x.bases.size() / 2 + (long long)peak_rng.next_below(21) - 10;
            peaks.push_back({e.chromosome, std::max(0LL, centre - width / 2), std::min(chromosome_length[e.chromosome], centre + width / 2)});
            ++bound;
        }
    const auto extra = std::size_t(std::llround(o.background_peaks * double(bound)));
    for (std::size_t k = 0; k < extra; ++k) {
        const std::size_t c = peak_rng.next_below(chromosome_shares.size());
        const long long width = 80 + (long long)peak_rng.next_below(71);
        const long long start = (long long)peak_rng.next_below(std::uint64_t(chromosome_length[c] - width));
        peaks.push_back({c, start, start + width});
    }
    std::sort(peaks.begin(), peaks.end(), [](const peak& a, const peak& b) {
        return a.chromosome != b.chromosome ? a.chromosome < b.chromosome : a.start < b.start;
    });
    std::string narrow_peak;
    for (std::size_t k = 0; k < peaks.size(); ++k) {
        const auto& p = peaks[k];
        narrow_peak += std::string(chromosome_shares[p.chromosome].first) + "\t" + std::to_string(p.start) + "\t" +
                       std::to_string(p.end) + "\tpeak" + std::to_string(k + 1) + "\t1000\t.\t10\t-1\t-1\t" +
                       std::to_string((p.end - p.start) / 2) + "\n";
    }
    helix::write_file_atomically(dir / "occupancy.narrowPeak", narrow_peak);
    summary.peaks = peaks.size();
    std::string readme =
        "Simulated enhancer-promoter benchmark, written by `epiann simulate` (seed " + std::to_string(o.seed) + ").\n\n"
        "genome.fa (+ .fai): chromosomes chr1-chr22 and chrX, " + std::to_string(summary.genome_length) +
        " bp in all, background stitched from real hg19 tiles (random tiles, random strands).\n"
        "pairs.csv: " + std::to_string(summary.pairs) + " pairs in TargetFinder format (0-based half-open names), " +
        std::to_string(summary.positives) + " labelled positive. Column rule_label is the grammar's label; label is it after\n"
        "label noise: " + std::to_string(summary.flipped) + " positives became negative and " + std::to_string(summary.flipped) +
        " negatives positive (" + std::to_string(o.label_noise * 100) + " % of the positives).\n"
        "grammar.tsv: the cooperating motif pairs (enhancer motif, promoter motif) and the decoy motifs.\n"
        "truth.tsv: every planted site (" + std::to_string(summary.sites) + "): element, side, motif, strand, genome coordinates.\n"
        "occupancy.narrowPeak: an open-chromatin track with a known truth: " + std::to_string(int(o.bound_fraction * 100)) +
        " % of planted sites lie under a peak, plus " + std::to_string(int(o.background_peaks * 100)) + " background peaks per 100 bound sites.\n\n"
        "How it was made: " + std::to_string(o.enhancers) + " enhancers and " + std::to_string(o.promoters) +
        " promoters (200-2000 bp) laid along the chromosomes; each carries " + std::to_string(o.min_motifs) + "-" +
        std::to_string(o.max_motifs) + " distinct motifs of its side's pool, each planted " + std::to_string(o.sites_per_motif) +
        " times (" + o.site_strength + " strength) within " + std::to_string(o.site_radius) +
        " bp of the element's centre. A pair (same chromosome, 10 kb-2 Mb apart) interacts when\n"
        "the enhancer carries one motif of a cooperating pair and the promoter its partner. Positives are drawn uniformly\n"
        "from the pairs the rule makes positive; negatives from the others with the positives' distance profile, " +
        std::to_string(o.negatives_per_positive) + " per positive where the candidates allow.\n\n"
        "How a motif scan reads the planted sites (each motif's sites planted in random sequence and scanned with every\n"
        "matrix of the library at p < 1e-4, the most significant of overlapping hits kept, as `epiann explain` does).\n"
        "A motif whose sites read as a look-alike cannot rank first in motif enrichment, however well attention finds it:\n";
    for (const auto& line : summary.identifiability) readme += "  " + line + "\n";
    helix::write_file_atomically(dir / "README", readme);
    together.commit();
    directory.keep();
    return summary;
}

std::string identifiability_warning(const simulation_summary& summary) {
    if (summary.unidentifiable.empty()) return "";
    std::string names;
    for (const auto& n : summary.unidentifiable) names += (names.empty() ? "" : ", ") + n;
    return "warning: the sites planted for " + names + " read mostly as other matrices in a motif scan, so motif enrichment "
           "(epiann explain) cannot rank them first; the README of the output lists what they read as\n";
}

}  // namespace epiann
