#include "device/device.hpp"
#include "pipeline/explain.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <helix/attribution/cross_effects.hpp>
#include <helix/core/rng.hpp>
#include <helix/io/atomic_file.hpp>
#include <helix/io/npz.hpp>

#include "common/errors.hpp"
#include "common/line_reader.hpp"
#include "common/output_paths.hpp"
#include "explain/attention_map.hpp"
#include "explain/attribution.hpp"
#include "evaluate/metrics.hpp"
#include "explain/enrichment.hpp"
#include "explain/peaks.hpp"
#include "motifs/pfm.hpp"
#include "motifs/scan.hpp"
#include "pipeline/runs.hpp"
#include "tracks/coverage.hpp"
#include "tracks/interactions.hpp"
#include "explain/readout.hpp"
#include "models/catalog.hpp"

namespace epiann {
namespace {

namespace fs = std::filesystem;
using motif_sites = std::vector<std::pair<std::uint32_t, std::size_t>>;  // (motif, site centre in the window)

std::string fixed(double v, int digits = 4) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

struct truth_site {
    std::string motif;
    long long start, end;
};

// Attention keeps the file names it always had; every other method's files carry its name.
std::string suffix_of(attribution_method m) { return m == attribution_method::attention ? "" : std::string("_") + method_name(m); }

// One method's reading of the explained pairs: per pair each side's bin importance (its top regions) and per-base
// scores (its tracks), with the bins' geometry.
struct method_view {
    attribution_method method = attribution_method::attention;
    bin_geometry enhancer, promoter;
    std::vector<std::vector<float>> enhancer_bins, promoter_bins, enhancer_bases, promoter_bases;
    nlohmann::json details = nlohmann::json::object();  // what the method adds to the summary (completeness)
    std::vector<base_scores> one_hot, hypothetical;     // --modisco: positive pairs' windows and contributions
};

// TF-MoDISco's layout (np.savez of an array N x 4 x L, `modisco motifs -s/-a`): the positive pairs' rows x 4 windows
// of one side, transposed.
void write_modisco(const fs::path& path, const std::vector<base_scores>& windows, bool enhancer, std::size_t length) {
    std::vector<float> values;
    std::size_t n = 0;
    for (const auto& w : windows) {
        const auto& side = enhancer ? w.enhancer : w.promoter;
        if (side.empty()) continue;
        for (std::size_t c = 0; c < 4; ++c)
            for (std::size_t l = 0; l < length; ++l) values.push_back(side[l * 4 + c]);
        ++n;
    }
    helix::save_npz<float>(path, {{"arr_0", values, {n, 4, length}}});
}

// What every method's analysis shares.
struct explain_context {
    const explain_request& r;
    const dataset& d;
    const std::vector<motif>& motifs;
    const std::vector<explained_pair>& explained;
    const std::vector<motif_sites>& sites;  // per distinct window
    const std::vector<std::size_t>& enhancer_scan;  // pair -> its enhancer window's entry of `sites`
    const std::vector<std::size_t>& promoter_scan;
    const std::optional<peak_set>& peaks;
    const std::vector<std::pair<std::string, std::string>>& cooperating;  // planted (enhancer motif, promoter motif)
    const std::unordered_map<std::string, std::vector<truth_site>>& planted;
    const std::vector<std::pair<std::string, long long>>& sizes;
};

struct method_result {
    nlohmann::json summary = nlohmann::json::object();
    std::map<std::string, std::vector<motif_enrichment_row>> tables;
};

std::vector<std::pair<std::size_t, std::size_t>> regions_of(const std::vector<float>& bins, const bin_geometry& g, std::size_t count) {
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& t : top_bins(bins, count)) spans.push_back(g.span(t.bin));
    return spans;
}

// Tracks, top regions, motif and TF-pair enrichment, open chromatin and the recovery of a simulated grammar, for one
// method; files written into `out` with the method's suffix.
method_result analyse(const method_view& v, const explain_context& c, const fs::path& out) {
    const auto& r = c.r;
    const auto& explained = c.explained;
    const auto& motifs = c.motifs;
    const std::string name = method_name(v.method), suffix = suffix_of(v.method);
    const bool attention = v.method == attribution_method::attention;
    method_result result;
    coverage_track importance;
    std::string bed = "track name=\"epiann top regions" + (attention ? std::string() : " (" + name + ")") +
                      "\" description=\"top " + name + " regions per element\"\n";
    for (std::size_t i = 0; i < explained.size(); ++i) {
        const auto& e = explained[i];
        const auto ew = e.windows.enhancer.span, pw = e.windows.promoter.span;
        importance.add(ew.chromosome, ew.start, v.enhancer_bases[i]);
        importance.add(pw.chromosome, pw.start, v.promoter_bases[i]);
        for (const auto& [side, bins, g, w] : {std::tuple{"enhancer", &v.enhancer_bins[i], &v.enhancer, ew}, std::tuple{"promoter", &v.promoter_bins[i], &v.promoter, pw}}) {
            int rank = 0;
            const auto top = top_bins(*bins, r.top_regions);
            for (const auto& t : top) {
                const auto [s, en] = g->span(t.bin);
                // BED scores are 0-1000: attention's importance is in [0, 1]; another method's relative to the element's top bin.
                const float score = attention ? std::min(1.f, t.importance)
                                              : top.front().importance > 0 ? std::clamp(t.importance / top.front().importance, 0.f, 1.f) : 0.f;
                bed += w.chromosome + "\t" + std::to_string(w.start + (long long)s) + "\t" + std::to_string(w.start + (long long)en) +
                       "\tpair" + std::to_string(e.pair) + "_" + side + "_" + std::to_string(++rank) + "\t" +
                       std::to_string(std::lround(score * 1000)) + "\n";
            }
        }
    }
    importance.write_bedgraph(out / ("importance" + suffix + ".bedGraph"), attention ? "epiann attention" : "epiann " + name);
    importance.write_bigwig(out / ("importance" + suffix + ".bw"), c.sizes);
    helix::write_file_atomically(out / ("top_regions" + suffix + ".bed"), bed);

    // One element_scan per (pair, side): the same window has different top regions in different pairs.
    std::vector<element_scan> enhancer_scans, promoter_scans;
    for (std::size_t i = 0; i < explained.size(); ++i) {
        enhancer_scans.push_back({v.enhancer.window, regions_of(v.enhancer_bins[i], v.enhancer, r.top_regions), c.sites[c.enhancer_scan[i]]});
        promoter_scans.push_back({v.promoter.window, regions_of(v.promoter_bins[i], v.promoter, r.top_regions), c.sites[c.promoter_scan[i]]});
    }
    auto& tables = result.tables;
    for (const auto& [side, scans] : {std::pair{"enhancer", &enhancer_scans}, std::pair{"promoter", &promoter_scans}})
        for (int label : {1, 0}) {
            std::vector<element_scan> chosen;
            for (std::size_t i = 0; i < explained.size(); ++i)
                if (explained[i].label == label) chosen.push_back((*scans)[i]);
            tables[std::string(side) + (label ? "_positives" : "_negatives")] = motif_enrichment(chosen, motifs.size(), r.permutations, 7);
        }
    std::string tsv = "table\trank\tmotif\ttf\tsites\tin_regions\tobserved\texpected\tfold\tz\tp_value\n";
    for (const auto& [table, rows] : tables) {
        std::size_t rank = 0;
        for (const auto& row : rows) {
            if (row.sites == 0) continue;
            tsv += table + "\t" + std::to_string(++rank) + "\t" + motifs[row.motif].id + "\t" + motifs[row.motif].name + "\t" +
                   std::to_string(row.sites) + "\t" + std::to_string(row.in_regions) + "\t" + fixed(row.observed_fraction) + "\t" +
                   fixed(row.expected_fraction) + "\t" + fixed(row.fold, 3) + "\t" + fixed(row.z, 2) + "\t" + fixed(row.p_value, 4) + "\n";
        }
    }
    helix::write_file_atomically(out / ("motif_enrichment" + suffix + ".tsv"), tsv);
    std::vector<pair_scan> pair_scans;
    for (std::size_t i = 0; i < explained.size(); ++i) pair_scans.push_back({&enhancer_scans[i], &promoter_scans[i], explained[i].label});
    const auto tf_rows = tf_pair_enrichment(pair_scans, motifs.size(), 5);
    std::string tf = "rank\tenhancer_motif\tenhancer_tf\tpromoter_motif\tpromoter_tf\tpositives_with\tpositives_without\t"
                     "negatives_with\tnegatives_without\todds_ratio\tp_value\tq_value\n";
    for (std::size_t k = 0; k < tf_rows.size() && k < 500; ++k) {
        const auto& t = tf_rows[k];
        char buf[160];
        std::snprintf(buf, sizeof buf, "%.4g\t%.3g\t%.3g", t.odds_ratio, t.p_value, t.q_value);
        tf += std::to_string(k + 1) + "\t" + motifs[t.enhancer_motif].id + "\t" + motifs[t.enhancer_motif].name + "\t" +
              motifs[t.promoter_motif].id + "\t" + motifs[t.promoter_motif].name + "\t" + std::to_string(t.positive_with) + "\t" +
              std::to_string(t.positive_without) + "\t" + std::to_string(t.negative_with) + "\t" +
              std::to_string(t.negative_without) + "\t" + buf + "\n";
    }
    helix::write_file_atomically(out / ("tf_pairs" + suffix + ".tsv"), tf);

    // Open chromatin: top regions overlapping peaks, against random regions of the same sizes in the same windows.
    if (c.peaks) {
        const peak_set& peaks = *c.peaks;
        helix::counter_rng rng(13);
        double top = 0, random = 0, regions = 0;
        for (std::size_t i = 0; i < explained.size(); ++i)
            for (const auto& [scan, w] : {std::pair{&enhancer_scans[i], explained[i].windows.enhancer.span},
                                          std::pair{&promoter_scans[i], explained[i].windows.promoter.span}})
                for (const auto& [s0, s1] : scan->regions) {
                    regions += 1;
                    top += peaks.overlaps(w.chromosome, w.start + (long long)s0, w.start + (long long)s1);
                    for (int k = 0; k < 10; ++k) {
                        const auto start = (long long)rng.next_below(scan->window - (s1 - s0) + 1);
                        random += peaks.overlaps(w.chromosome, w.start + start, w.start + start + (long long)(s1 - s0)) / 10.0;
                    }
                }
        result.summary["open_chromatin"] = {{"peaks", peaks.size()}, {"top_regions", regions},
                                            {"top_regions_in_peaks", regions > 0 ? top / regions : 0.0},
                                            {"random_regions_in_peaks", regions > 0 ? random / regions : 0.0}};
    }

    // Recovery of a simulated grammar.
    if (!r.truth.empty()) {
        std::set<std::string> cooperating_enhancer, cooperating_promoter;
        for (const auto& [a, b] : c.cooperating) cooperating_enhancer.insert(a), cooperating_promoter.insert(b);
        const auto sites_of = [&](const std::string& element) -> const std::vector<truth_site>& {
            static const std::vector<truth_site> none;
            const auto it = c.planted.find(element);
            return it == c.planted.end() ? none : it->second;
        };
        // Fraction of positive pairs whose top enhancer regions hold a cooperating enhancer site, and its
        // expectation for random regions of the same sizes.
        std::size_t positives = 0, hit = 0;
        double expected = 0;
        helix::counter_rng rng(11);
        // Per-base precision-recall of the planted cooperating sites' bases in the windows of positive pairs.
        std::vector<double> enhancer_scores, promoter_scores;
        std::vector<int> enhancer_labels, promoter_labels;
        for (std::size_t i = 0; i < explained.size(); ++i) {
            if (explained[i].label != 1) continue;
            ++positives;
            const auto& pr = c.d.pairs.pairs[explained[i].pair];
            const auto w = explained[i].windows.enhancer.span;
            std::vector<long long> centres;
            for (const auto& s : sites_of(pr.enhancer_name))
                if (cooperating_enhancer.count(s.motif)) centres.push_back((s.start + s.end) / 2 - w.start);
            auto holds = [&](const std::vector<std::pair<std::size_t, std::size_t>>& regions) {
                return std::any_of(centres.begin(), centres.end(), [&](long long x) {
                    return std::any_of(regions.begin(), regions.end(), [&](const auto& reg) { return x >= (long long)reg.first && x < (long long)reg.second; });
                });
            };
            hit += holds(enhancer_scans[i].regions);
            for (int k = 0; k < 20; ++k) {
                std::vector<std::pair<std::size_t, std::size_t>> random;
                for (const auto& reg : enhancer_scans[i].regions) {
                    const std::size_t size = reg.second - reg.first;
                    const std::size_t s = rng.next_below(v.enhancer.window - size + 1);
                    random.emplace_back(s, s + size);
                }
                expected += holds(random) / 20.0;
            }
            for (const auto& [element, win, bases, wanted, scores, labels] :
                 {std::tuple{&pr.enhancer_name, w, &v.enhancer_bases[i], &cooperating_enhancer, &enhancer_scores, &enhancer_labels},
                  std::tuple{&pr.promoter_name, explained[i].windows.promoter.span, &v.promoter_bases[i], &cooperating_promoter,
                             &promoter_scores, &promoter_labels}}) {
                std::vector<int> in_site(bases->size(), 0);
                for (const auto& s : sites_of(*element))
                    if (wanted->count(s.motif))
                        for (long long b = std::max(s.start, win.start); b < std::min(s.end, win.end); ++b) in_site[std::size_t(b - win.start)] = 1;
                for (std::size_t b = 0; b < bases->size(); ++b) scores->push_back((*bases)[b]), labels->push_back(in_site[b]);
            }
        }
        auto rank_of = [&](const std::string& table, const std::string& id) {
            std::size_t rank = 0;
            for (const auto& row : tables[table]) {
                if (row.sites == 0) continue;
                ++rank;
                if (motifs[row.motif].id == id) return rank;
            }
            return std::size_t(0);
        };
        nlohmann::json ranks = nlohmann::json::array();
        std::size_t in_top15 = 0;
        for (const auto& [a, b] : c.cooperating) {
            std::size_t tf_rank = 0;
            for (std::size_t k = 0; k < tf_rows.size(); ++k)
                if (motifs[tf_rows[k].enhancer_motif].id == a && motifs[tf_rows[k].promoter_motif].id == b) {
                    tf_rank = k + 1;
                    break;
                }
            in_top15 += tf_rank > 0 && tf_rank <= 15;
            auto name_of = [&](const std::string& id) {
                const auto m = find_motif(motifs, id);
                return m ? motifs[*m].name : id;
            };
            ranks.push_back({{"enhancer_motif", a}, {"promoter_motif", b}, {"enhancer_tf", name_of(a)}, {"promoter_tf", name_of(b)},
                             {"enhancer_rank", rank_of("enhancer_positives", a)},
                             {"promoter_rank", rank_of("promoter_positives", b)}, {"tf_pair_rank", tf_rank}});
        }
        result.summary["recovery"] = {{"positive_pairs", positives},
                                      {"top_enhancer_regions_hold_cooperating_site", positives ? double(hit) / double(positives) : 0.0},
                                      {"expected_for_random_regions", positives ? expected / double(positives) : 0.0},
                                      {"planted_pairs", ranks},
                                      {"planted_pairs_in_top15", in_top15}};
        auto precision_recall = [](const std::vector<double>& scores, const std::vector<int>& labels) {
            const auto planted_bases = std::count(labels.begin(), labels.end(), 1);
            const double rate = labels.empty() ? 0.0 : double(planted_bases) / double(labels.size());
            const double ap = planted_bases > 0 && planted_bases < (long)labels.size() ? average_precision(scores, labels) : 0.0;
            return nlohmann::json{{"auprc", ap}, {"planted_base_fraction", rate}};
        };
        result.summary["per_base"] = {{"enhancer", precision_recall(enhancer_scores, enhancer_labels)},
                                      {"promoter", precision_recall(promoter_scores, promoter_labels)}};
    }
    return result;
}

// Per-base scores of one method for every explained pair, in a method_view with 40 bp bins.
method_view view_of(attribution_method method, attribution_readout&& a, std::size_t enhancer_window, std::size_t promoter_window) {
    method_view v;
    v.method = method;
    v.enhancer = method_bins(enhancer_window);
    v.promoter = method_bins(promoter_window);
    for (auto& p : a.pairs) {
        v.enhancer_bins.push_back(bin_sums(v.enhancer, p.enhancer));
        v.promoter_bins.push_back(bin_sums(v.promoter, p.promoter));
        v.enhancer_bases.push_back(std::move(p.enhancer));
        v.promoter_bases.push_back(std::move(p.promoter));
    }
    v.one_hot = std::move(a.one_hot);
    v.hypothetical = std::move(a.hypothetical);
    if (method == attribution_method::integrated_gradients && !a.attribution_sums.empty()) {
        // Completeness: how far each pair's attributions are from summing to logit(x) - logit(x').
        std::vector<double> gaps;
        double worst = 0;
        for (std::size_t i = 0; i < a.attribution_sums.size(); ++i) {
            const double gap = std::abs(a.attribution_sums[i] - a.output_differences[i]);
            gaps.push_back(gap / std::max(1e-6, std::abs(a.output_differences[i])));
            worst = std::max(worst, gap);
        }
        std::sort(gaps.begin(), gaps.end());
        v.details["completeness"] = {{"pairs", gaps.size()}, {"median_relative_gap", gaps[gaps.size() / 2]},
                                     {"worst_relative_gap", gaps.back()}, {"worst_gap", worst}};
    }
    return v;
}

}  // namespace

std::vector<attribution_method> explain_methods(const explain_request& r, const model_entry& m) {
    if (r.methods.empty()) {  // the default: attention where the model has it, and input x gradient where gradients reach the bases
        std::vector<attribution_method> out;
        if (m.explain) out.push_back(attribution_method::attention);
        if (m.gradients_reach_bases()) out.push_back(attribution_method::input_x_gradient);
        if (out.empty()) out.push_back(attribution_method::ism);
        return out;
    }
    const auto methods = parse_methods(r.methods);
    for (const auto method : methods) {
        if (method == attribution_method::attention && !m.explain)
            throw input_error(std::string("--methods attention: the ") + m.name + " model (" + m.architecture +
                              ") has no attention; its bases can be scored with --methods " +
                              (m.gradients_reach_bases() ? "input_x_gradient, saliency, integrated_gradients or ism" : "ism"));
        if (method != attribution_method::attention && method != attribution_method::ism && !m.gradients_reach_bases())
            throw input_error(std::string("--methods ") + method_name(method) + ": the " + m.name +
                              " model reads 6-mer tokens (an embedding lookup), so no gradient reaches the bases; use attention or ism for it");
    }
    return methods;
}

std::vector<std::string> explain_outputs(const explain_request& r, const std::vector<attribution_method>& methods) {
    std::vector<std::string> names;
    for (const auto method : methods) {
        const std::string s = suffix_of(method);
        for (const std::string& name : {"importance" + s + ".bedGraph", "importance" + s + ".bw", "top_regions" + s + ".bed",
                                       "motif_enrichment" + s + ".tsv", "tf_pairs" + s + ".tsv"})
            names.push_back(name);
    }
    if (std::find(methods.begin(), methods.end(), attribution_method::attention) != methods.end())
        names.insert(names.end(), {"top_bin_pairs.bedpe", "top_bin_pairs.interact", "example_pair.json"});
    if (r.modisco) {
        for (const std::string side : {"enhancer", "promoter"}) {
            names.push_back("modisco_" + side + "_sequences.npz");
            for (const auto method : methods)
                if (has_hypothetical(method)) names.push_back("modisco_" + std::string(method_name(method)) + "_" + side + ".npz");
        }
    }
    names.push_back("summary.json");
    return names;
}

nlohmann::json run_explain(const explain_request& r) {
    const checkpoint_info info = read_checkpoint_info(r.checkpoint);
    const model_entry& m = find_model(info.model);
    const auto methods = explain_methods(r, m);
    const bool has_attention = std::find(methods.begin(), methods.end(), attribution_method::attention) != methods.end();
    if (r.reference != "shuffle" && r.reference != "zero")
        throw input_error("--reference: expected shuffle or zero, got \"" + r.reference + "\"");
    if (r.vary != "both" && r.vary != "enhancer" && r.vary != "promoter")
        throw input_error("--vary: expected both, enhancer or promoter, got \"" + r.vary + "\"");
    if (r.modisco && std::none_of(methods.begin(), methods.end(), has_hypothetical))
        throw input_error("--modisco: TF-MoDISco needs a score for every letter at every base; give saliency, "
                          "input_x_gradient or ism among --methods");
    {
        const fs::path out = r.out;
        // Every input is read and checked before the first output is written.
        if (r.truth.empty() != r.grammar.empty())
            throw input_error("explain: --truth and --grammar go together (a simulated set's truth.tsv and grammar.tsv)");
        std::vector<named_path> outputs;
        for (const auto& name : explain_outputs(r, methods)) outputs.push_back({name + " in --out", out / name});
        auto inputs = genome_inputs(r.genome);
        for (const named_path& input : std::vector<named_path>{{"--checkpoint", r.checkpoint}, {"--pairs", r.pairs}, {"--motifs", r.motifs},
                                                               {"--peaks", r.peaks}, {"--truth", r.truth}, {"--grammar", r.grammar}})
            inputs.push_back(input);
        refuse_overwriting_inputs(inputs, outputs);
        check_output_directory(out);
        const auto motifs = read_jaspar(r.motifs);
        std::optional<peak_set> peak_file;
        if (!r.peaks.empty()) peak_file = peak_set::read(r.peaks);
        std::vector<std::pair<std::string, std::string>> cooperating;            // planted motif pairs
        std::unordered_map<std::string, std::vector<truth_site>> planted;  // element name -> sites
        std::set<std::string> truth_cooperating;                           // motifs the truth marks cooperating
        if (!r.truth.empty()) {
            line_reader g(r.grammar);
            while (auto line = g.next()) {
                const auto f = split_fields(line->substr(0, line->find('#')), '\t');
                if (f.size() >= 3 && f[0] == "cooperates") cooperating.emplace_back(std::string(f[1]), std::string(f[2]));
            }
            line_reader t(r.truth);
            t.next();
            while (auto line = t.next()) {
                const auto f = split_fields(*line, '\t');
                if (f.size() < 9) throw t.error("expected 9 columns (element side motif tf strand chrom start end cooperating)");
                const auto start = parse_integer(f[6]), end = parse_integer(f[7]);
                if (!start || !end) throw t.error("expected non-negative integer start and end in columns 7 and 8");
                planted[std::string(f[0])].push_back({std::string(f[2]), *start, *end});
                if (f[8] == "yes") truth_cooperating.insert(std::string(f[2]));
            }
            for (const auto& [a, b] : cooperating)
                if (!truth_cooperating.count(a) || !truth_cooperating.count(b))
                    throw input_error(r.grammar + ": its cooperating pair " + a + " - " + b + " is not cooperating in " + r.truth +
                                      ": are the grammar and the truth of the same simulation?");
        }
        dataset d = load_dataset(r.genome, r.pairs, info.split, (long long)m.enhancer_window, (long long)m.promoter_window);
        if (peak_file) {  // peaks of another assembly or naming style ("1" against "chr1") overlap nothing
            std::size_t on_genome = 0;
            for (const auto& c : d.g->chromosomes()) on_genome += peak_file->on(c, *d.g->length(c));
            if (on_genome == 0)
                throw input_error(r.peaks + ": none of its " + std::to_string(peak_file->size()) +
                                  " peaks lies on a chromosome of the genome (" + d.g->chromosomes().front() +
                                  ", ...) within its length: are they for another assembly, or another style (\"1\" and \"chr1\")?");
            if (on_genome < peak_file->size())
                std::fprintf(stderr, "warning: %zu of the %zu peaks of %s lie on no chromosome of the genome or past its end\n",
                             peak_file->size() - on_genome, peak_file->size(), r.peaks.c_str());
        }
        if (!r.truth.empty()) {  // a truth.tsv of another simulation would measure nothing
            std::size_t known = 0;
            for (const auto& p : d.pairs.pairs) known += planted.count(p.enhancer_name) + planted.count(p.promoter_name);
            if (known == 0)
                throw input_error(r.truth + ": none of its elements is an element of " + r.pairs +
                                  ": is it the truth of another simulation?");
        }
        std::unique_ptr<window_examples> examples;
        const subset_kind kind = r.balanced ? subset_kind::balanced : subset_kind::stratified;
        if (r.set == "all") {
            examples = d.all_pairs(r.max_pairs, 1, kind);
        } else if (r.set == "test") {
            examples = d.examples(pair_set::test, false, r.max_pairs, 1, kind);
        } else {
            throw input_error("explain: --set must be test or all, got \"" + r.set + "\"");
        }
        if (examples->size() == 0)
            throw input_error("nothing to explain: " +
                              (r.set == "all" ? r.pairs + " has no pairs"
                                              : "the checkpoint's " + info.split.kind + " split leaves no test pairs in " + r.pairs +
                                                    " (give --set all to explain every pair)"));
        examples->set_scaler(info.scaler);

        // Each method's reading of the pairs; the pairs themselves (probability, windows) from the first.
        std::vector<method_view> views;
        std::vector<explained_pair> explained;
        attention_readout readout;
        const attribution_options options{r.steps, r.reference, r.vary, 1, r.modisco};
        for (const auto method : methods) {
            std::fprintf(stderr, "explaining %zu pairs with %s (%s)\n", examples->size(),
                         method == attribution_method::attention ? m.attention : method_name(method), method_cost(method, r.steps).c_str());
            const auto started = std::chrono::steady_clock::now();
            if (method == attribution_method::attention) {
                readout = m.explain(r.checkpoint, *examples, r.threads, parse_device(r.device));
                method_view v;
                v.enhancer = readout.enhancer;
                v.promoter = readout.promoter;
                for (const auto& e : readout.pairs) {
                    v.enhancer_bins.push_back(e.enhancer_bins);
                    v.promoter_bins.push_back(e.promoter_bins);
                    v.enhancer_bases.push_back(base_importance(v.enhancer, e.enhancer_bins));
                    v.promoter_bases.push_back(base_importance(v.promoter, e.promoter_bins));
                }
                if (explained.empty()) explained = readout.pairs;
                views.push_back(std::move(v));
            } else {
                auto a = m.attribute(r.checkpoint, *examples, r.threads, method, options);
                if (explained.empty())
                    for (std::size_t i = 0; i < examples->size(); ++i) {
                        explained_pair e;
                        e.pair = examples->item(i).pair;
                        e.label = examples->label(i);
                        e.probability = a.probabilities[i];
                        e.windows = examples->windows(i);
                        explained.push_back(std::move(e));
                    }
                views.push_back(view_of(method, std::move(a), m.enhancer_window, m.promoter_window));
            }
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::fprintf(stderr, "  %s: %.1f s, %.1f pairs/s\n", method_name(method), seconds, double(examples->size()) / std::max(seconds, 1e-9));
        }

        std::vector<std::pair<std::string, long long>> sizes;
        for (const auto& c : d.g->chromosomes()) sizes.emplace_back(c, *d.g->length(c));
        // The outputs appear together when everything has been computed, or not at all (and no empty directory).
        new_output_directory directory(out);
        remove_stale_temporaries_of(outputs);
        helix::commit_group together;
        if (has_attention) {  // the strongest enhancer-bin/promoter-bin cell of every pair
            std::vector<scored_interaction> cells;
            const bin_geometry eg = readout.enhancer, pg = readout.promoter;
            for (const auto& e : readout.pairs) {
                const auto& pr = d.pairs.pairs[e.pair];
                const auto ew = e.windows.enhancer.span, pw = e.windows.promoter.span;
                const auto [es, ee] = eg.span(e.top_enhancer_bin);
                const auto [ps, pe] = pg.span(e.top_promoter_bin);
                cells.push_back({{ew.chromosome, ew.start + (long long)es, ew.start + (long long)ee, pr.enhancer_name},
                                 {pw.chromosome, pw.start + (long long)ps, pw.start + (long long)pe, pr.promoter_name},
                                 "pair" + std::to_string(e.pair),
                                 double(e.top_cell)});
            }
            write_bedpe(out / "top_bin_pairs.bedpe", cells);
            write_interact(out / "top_bin_pairs.interact", cells, "epiann_attention", "strongest enhancer-promoter attention cell per pair");
        }

        // Motif scanning of every distinct window, once for all methods.
        std::vector<position_matrix> matrices;
        for (const auto& mo : motifs) matrices.push_back(mo.probabilities());
        const motif_scanner scanner(std::move(matrices), r.p_value);
        std::map<std::string, std::size_t> window_index;
        std::vector<interval> windows;
        std::vector<std::size_t> enhancer_scan(explained.size()), promoter_scan(explained.size());
        for (std::size_t i = 0; i < explained.size(); ++i)
            for (auto [w, slot] : {std::pair{explained[i].windows.enhancer.span, &enhancer_scan[i]}, std::pair{explained[i].windows.promoter.span, &promoter_scan[i]}}) {
                const auto [it, added] = window_index.try_emplace(w.text(), windows.size());
                if (added) windows.push_back(w);
                *slot = it->second;
            }
        std::fprintf(stderr, "scanning %zu windows with %zu motifs\n", windows.size(), motifs.size());
        std::vector<motif_sites> sites(windows.size());
#pragma omp parallel for schedule(dynamic, 4)
        for (std::size_t w = 0; w < windows.size(); ++w) {
            const auto& span = windows[w];
            const auto seq = d.g->sequence(span.chromosome, span.start, span.end);
            const double gc = gc_fraction(seq);
            auto found = scanner.scan(seq, gc);
            if (!r.all_sites) found = most_significant_sites(scanner, std::move(found), gc);
            for (const auto& site : found)
                sites[w].emplace_back(std::uint32_t(site.motif), site.position + motifs[site.motif].length() / 2);
        }
        const explain_context context{r, d, motifs, explained, sites, enhancer_scan, promoter_scan, peak_file, cooperating, planted, sizes};
        nlohmann::json summary = {{"model", m.name}, {"attention", m.attention}, {"pairs", explained.size()},
                                  {"set", r.set}, {"subset", r.max_pairs == 0 ? "all" : r.balanced ? "balanced" : "stratified"},
                                  {"windows_scanned", windows.size()}, {"motifs", motifs.size()}};
        nlohmann::json by_method = nlohmann::json::object();
        std::map<std::string, std::vector<motif_enrichment_row>> attention_tables;
        for (const auto& v : views) {
            auto result = analyse(v, context, out);
            nlohmann::json entry = result.summary;
            entry.update(v.details);
            entry["cost"] = method_cost(v.method, r.steps);
            if (&v == &views.front()) {  // the first method's figures also at the top, where the demo and report read them
                summary["method"] = method_name(v.method);
                for (const char* key : {"recovery", "open_chromatin"})
                    if (result.summary.contains(key)) summary[key] = result.summary[key];
            }
            if (v.method == attribution_method::attention) attention_tables = std::move(result.tables);
            by_method[method_name(v.method)] = std::move(entry);
        }
        summary["methods"] = by_method;
        if (r.modisco) {  // the windows are the same for every method: the first one's
            const auto first = std::find_if(views.begin(), views.end(), [](const method_view& v) { return has_hypothetical(v.method); });
            std::size_t positives = 0;
            for (const auto& w : first->one_hot) positives += !w.enhancer.empty();
            for (const bool enhancer : {true, false}) {
                const std::string side = enhancer ? "enhancer" : "promoter";
                const std::size_t length = enhancer ? m.enhancer_window : m.promoter_window;
                write_modisco(out / ("modisco_" + side + "_sequences.npz"), first->one_hot, enhancer, length);
                for (const auto& v : views)
                    if (has_hypothetical(v.method))
                        write_modisco(out / ("modisco_" + std::string(method_name(v.method)) + "_" + side + ".npz"), v.hypothetical,
                                      enhancer, length);
            }
            summary["modisco"] = {{"positive_pairs", positives}, {"layout", "N x 4 x L, np.savez arr_0"}};
        }
        const auto& example = readout.example;
        if (has_attention && example.index != SIZE_MAX) {
            const bin_geometry eg = readout.enhancer, pg = readout.promoter;
            const auto& e = readout.pairs[example.index];  // attention's reading, whatever method came first
            const auto& pr = d.pairs.pairs[e.pair];
            auto rounded = [](double v) { return std::round(v * 1e5) / 1e5; };
            nlohmann::json j = {{"pair", e.pair}, {"enhancer_name", pr.enhancer_name}, {"promoter_name", pr.promoter_name},
                                {"probability", rounded(e.probability)}, {"model", m.name}, {"attention_kind", readout.kind}};
            if (!example.matrix.empty()) {  // a model with a pair map
                nlohmann::json values = nlohmann::json::array();
                for (const float v : example.matrix) values.push_back(rounded(v));
                j["attention"] = {{"rows", example.rows}, {"cols", example.cols}, {"values", values},
                                  {"meaning", example.meaning}};
            }
            for (const auto& [side, w, bins, g, scan, table] :
                 {std::tuple{"enhancer", e.windows.enhancer.span, &e.enhancer_bins, &eg, enhancer_scan[example.index], "enhancer_positives"},
                  std::tuple{"promoter", e.windows.promoter.span, &e.promoter_bins, &pg, promoter_scan[example.index], "promoter_positives"}}) {
                nlohmann::json element = {{"chromosome", w.chromosome}, {"start", w.start}, {"end", w.end}};
                nlohmann::json importance = nlohmann::json::array(), spans = nlohmann::json::array(), regions = nlohmann::json::array();
                for (std::size_t k = 0; k < bins->size(); ++k) {
                    importance.push_back(rounded((*bins)[k]));
                    const auto [s0, s1] = g->span(k);
                    spans.push_back({s0, s1});
                }
                for (const auto& [s0, s1] : regions_of(*bins, *g, r.top_regions)) regions.push_back({s0, s1});
                // Sites of the side's ten most enriched motifs, so that the view stays readable.
                std::set<std::size_t> shown;
                for (const auto& row : attention_tables[table]) {
                    if (shown.size() == 10) break;
                    if (row.sites > 0) shown.insert(row.motif);
                }
                nlohmann::json found = nlohmann::json::array();
                for (const auto& [mo, centre] : sites[scan])
                    if (shown.count(mo)) {
                        const auto half = (long long)motifs[mo].length() / 2;
                        found.push_back({{"motif", motifs[mo].name}, {"start", (long long)centre - half},
                                         {"end", (long long)centre - half + (long long)motifs[mo].length()}});
                    }
                nlohmann::json truth = nlohmann::json::array();
                const std::string& element_name = std::string(side) == "enhancer" ? pr.enhancer_name : pr.promoter_name;
                if (const auto it = planted.find(element_name); it != planted.end())
                    for (const auto& site : it->second) {
                        const auto mo = find_motif(motifs, site.motif);
                        truth.push_back({{"motif", mo ? motifs[*mo].name : site.motif}, {"start", site.start - w.start},
                                         {"end", site.end - w.start}});
                    }
                nlohmann::json peaks_here = nlohmann::json::array();
                if (peak_file)
                    for (const auto& [s0, s1] : peak_file->within(w.chromosome, w.start, w.end))
                        peaks_here.push_back({std::max(0LL, s0 - w.start), std::min(w.end, s1) - w.start});
                element["bin_importance"] = importance;
                element["bin_spans"] = spans;
                element["top_regions"] = regions;
                element["motif_sites"] = found;
                element["planted_sites"] = truth;
                element["peaks"] = peaks_here;
                j[side] = element;
            }
            // Cross effects: how occluding each 40 bp region of one element changes the other's input x gradient.
            if (m.gradients_reach_bases()) {
                const auto c = m.cross_effects(r.checkpoint, *examples, example.index, r.threads);
                auto map_json = [&](const std::vector<double>& v, std::size_t rows, std::size_t cols) {
                    nlohmann::json values = nlohmann::json::array();
                    for (const double x : v) values.push_back(std::round(x * 1e6) / 1e6);
                    return nlohmann::json{{"rows", rows}, {"cols", cols}, {"values", values}};
                };
                j["cross_effects"] = {{"region", c.region},
                                      {"enhancer_to_promoter", map_json(c.enhancer_to_promoter, c.enhancer_regions, c.promoter_regions)},
                                      {"promoter_to_enhancer", map_json(c.promoter_to_enhancer, c.promoter_regions, c.enhancer_regions)}};
                summary["pairwise"]["example_cross_effect_row_dependence"] =
                    helix::attribution::row_dependence(c.enhancer_to_promoter, c.enhancer_regions, c.promoter_regions);
            }
            if (e.map_row_dependence >= 0) summary["pairwise"]["example_attention_row_dependence"] = e.map_row_dependence;
            helix::write_file_atomically(out / "example_pair.json", j.dump() + "\n");
        }
        if (has_attention) {  // how much each pair map's rows differ, over the positive pairs
            std::vector<double> dependence;
            for (const auto& e : readout.pairs)
                if (e.label == 1 && e.map_row_dependence >= 0) dependence.push_back(e.map_row_dependence);
            if (!dependence.empty()) {
                std::sort(dependence.begin(), dependence.end());
                double mean = 0;
                for (const double v : dependence) mean += v / double(dependence.size());
                summary["pairwise"]["positive_pairs_with_map"] = dependence.size();
                summary["pairwise"]["attention_row_dependence_mean"] = mean;
                summary["pairwise"]["attention_row_dependence_median"] = dependence[dependence.size() / 2];
            }
        }
        helix::write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
        together.commit();
        directory.keep();
        return summary;
    }
}

}  // namespace epiann
