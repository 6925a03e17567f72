#include "device/device.hpp"
#include "pipeline/explain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include <helix/core/rng.hpp>
#include <helix/io/atomic_file.hpp>

#include "common/errors.hpp"
#include "common/line_reader.hpp"
#include "common/output_paths.hpp"
#include "explain/attention_map.hpp"
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

std::string fixed(double v, int digits = 4) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

struct truth_site {
    std::string motif;
    long long start, end;
};

}  // namespace

nlohmann::json run_explain(const explain_request& r) {
    const checkpoint_info info = read_checkpoint_info(r.checkpoint);
    const model_entry& m = find_model(info.model);
    if (!m.explain)
        throw input_error(std::string("explain: the ") + m.name + " model (" + m.architecture +
                          ") has no attention, so there is none to show; `epiann evaluate` and `epiann predict` work on it");
    {
        const fs::path out = r.out;
        // Every input is read and checked before the first output is written.
        if (r.truth.empty() != r.grammar.empty())
            throw input_error("explain: --truth and --grammar go together (a simulated set's truth.tsv and grammar.tsv)");
        std::vector<named_path> outputs;
        for (const char* name : {"importance.bedGraph", "importance.bw", "top_regions.bed", "top_bin_pairs.bedpe",
                                 "top_bin_pairs.interact", "motif_enrichment.tsv", "tf_pairs.tsv", "example_pair.json", "summary.json"})
            outputs.push_back({std::string(name) + " in --out", out / name});
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
        if (r.set == "all") {
            examples = d.all_pairs(r.max_pairs, 1);
        } else if (r.set == "test") {
            examples = d.examples(pair_set::test, false, r.max_pairs, 1);
        } else {
            throw input_error("explain: --set must be test or all, got \"" + r.set + "\"");
        }
        if (examples->size() == 0)
            throw input_error("nothing to explain: " +
                              (r.set == "all" ? r.pairs + " has no pairs"
                                              : "the checkpoint's " + info.split.kind + " split leaves no test pairs in " + r.pairs +
                                                    " (give --set all to explain every pair)"));
        examples->set_scaler(info.scaler);
        std::fprintf(stderr, "explaining %zu pairs with %s\n", examples->size(), m.attention);
        attention_readout readout = m.explain(r.checkpoint, *examples, r.threads, parse_device(r.device));
        const auto& explained = readout.pairs;
        const auto& example = readout.example;
        const bin_geometry eg = readout.enhancer, pg = readout.promoter;

        // Tracks, top regions, top bin pairs.
        coverage_track importance;
        std::string bed = "track name=\"epiann top regions\" description=\"top attention regions per element\"\n";
        std::vector<scored_interaction> cells;
        auto regions_of = [&](const std::vector<float>& bins, const bin_geometry& g) {
            std::vector<std::pair<std::size_t, std::size_t>> spans;
            for (const auto& t : top_bins(bins, r.top_regions)) spans.push_back(g.span(t.bin));
            return spans;
        };
        for (const auto& e : explained) {
            const auto& pr = d.pairs.pairs[e.pair];
            const auto ew = e.windows.enhancer.span, pw = e.windows.promoter.span;
            const auto eb = base_importance(eg, e.enhancer_bins), pb = base_importance(pg, e.promoter_bins);
            importance.add(ew.chromosome, ew.start, eb);
            importance.add(pw.chromosome, pw.start, pb);
            for (const auto& [side, bins, g, w] : {std::tuple{"enhancer", &e.enhancer_bins, &eg, ew}, std::tuple{"promoter", &e.promoter_bins, &pg, pw}}) {
                int rank = 0;
                for (const auto& t : top_bins(*bins, r.top_regions)) {
                    const auto [s, en] = g->span(t.bin);
                    bed += w.chromosome + "\t" + std::to_string(w.start + (long long)s) + "\t" + std::to_string(w.start + (long long)en) +
                           "\tpair" + std::to_string(e.pair) + "_" + side + "_" + std::to_string(++rank) + "\t" +
                           std::to_string(std::lround(std::min(1.f, t.importance) * 1000)) + "\n";
                }
            }
            const auto [es, ee] = eg.span(e.top_enhancer_bin);
            const auto [ps, pe] = pg.span(e.top_promoter_bin);
            cells.push_back({{ew.chromosome, ew.start + (long long)es, ew.start + (long long)ee, pr.enhancer_name},
                             {pw.chromosome, pw.start + (long long)ps, pw.start + (long long)pe, pr.promoter_name},
                             "pair" + std::to_string(e.pair),
                             double(e.top_cell)});
        }
        std::vector<std::pair<std::string, long long>> sizes;
        for (const auto& c : d.g->chromosomes()) sizes.emplace_back(c, *d.g->length(c));
        // The outputs appear together when everything has been computed, or not at all (and no empty directory).
        new_output_directory directory(out);
        remove_stale_temporaries_of(outputs);
        helix::commit_group together;
        importance.write_bedgraph(out / "importance.bedGraph", "epiann attention");
        importance.write_bigwig(out / "importance.bw", sizes);
        helix::write_file_atomically(out / "top_regions.bed", bed);
        write_bedpe(out / "top_bin_pairs.bedpe", cells);
        write_interact(out / "top_bin_pairs.interact", cells, "epiann_attention", "strongest enhancer-promoter attention cell per pair");

        // Motif scanning of every distinct window, then enrichment.
        std::vector<position_matrix> matrices;
        for (const auto& m : motifs) matrices.push_back(m.probabilities());
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
        std::vector<std::vector<std::pair<std::uint32_t, std::size_t>>> sites(windows.size());
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
        // One element_scan per (pair, side): the same window has different top regions in different pairs.
        std::vector<element_scan> enhancer_scans, promoter_scans;
        for (std::size_t i = 0; i < explained.size(); ++i) {
            enhancer_scans.push_back({eg.window, regions_of(explained[i].enhancer_bins, eg), sites[enhancer_scan[i]]});
            promoter_scans.push_back({pg.window, regions_of(explained[i].promoter_bins, pg), sites[promoter_scan[i]]});
        }
        nlohmann::json summary = {{"model", m.name}, {"attention", m.attention}, {"pairs", explained.size()},
                                  {"windows_scanned", windows.size()}, {"motifs", motifs.size()}};
        std::map<std::string, std::vector<motif_enrichment_row>> tables;
        for (const auto& [side, scans] : {std::pair{"enhancer", &enhancer_scans}, std::pair{"promoter", &promoter_scans}})
            for (int label : {1, 0}) {
                std::vector<element_scan> chosen;
                for (std::size_t i = 0; i < explained.size(); ++i)
                    if (explained[i].label == label) chosen.push_back((*scans)[i]);
                const std::string name = std::string(side) + (label ? "_positives" : "_negatives");
                tables[name] = motif_enrichment(chosen, motifs.size(), r.permutations, 7);
            }
        std::string tsv = "table\trank\tmotif\ttf\tsites\tin_regions\tobserved\texpected\tfold\tz\tp_value\n";
        for (const auto& [name, rows] : tables) {
            std::size_t rank = 0;
            for (const auto& row : rows) {
                if (row.sites == 0) continue;
                tsv += name + "\t" + std::to_string(++rank) + "\t" + motifs[row.motif].id + "\t" + motifs[row.motif].name + "\t" +
                       std::to_string(row.sites) + "\t" + std::to_string(row.in_regions) + "\t" + fixed(row.observed_fraction) + "\t" +
                       fixed(row.expected_fraction) + "\t" + fixed(row.fold, 3) + "\t" + fixed(row.z, 2) + "\t" + fixed(row.p_value, 4) + "\n";
            }
        }
        helix::write_file_atomically(out / "motif_enrichment.tsv", tsv);
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
        helix::write_file_atomically(out / "tf_pairs.tsv", tf);

        // Open chromatin: top regions overlapping peaks, against random regions of the same sizes in the same windows.
        if (peak_file) {
            const peak_set& peaks = *peak_file;
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
            summary["open_chromatin"] = {{"peaks", peaks.size()}, {"top_regions", regions},
                                         {"top_regions_in_peaks", regions > 0 ? top / regions : 0.0},
                                         {"random_regions_in_peaks", regions > 0 ? random / regions : 0.0}};
        }

        // Recovery of a simulated grammar.
        if (!r.truth.empty()) {
            std::set<std::string> cooperating_enhancer;
            for (const auto& [a, b] : cooperating) cooperating_enhancer.insert(a);
            // Fraction of positive pairs whose top enhancer regions hold a cooperating enhancer site, and its
            // expectation for random regions of the same sizes.
            std::size_t positives = 0, hit = 0;
            double expected = 0;
            helix::counter_rng rng(11);
            for (std::size_t i = 0; i < explained.size(); ++i) {
                if (explained[i].label != 1) continue;
                ++positives;
                const auto& pr = d.pairs.pairs[explained[i].pair];
                const auto w = explained[i].windows.enhancer.span;
                std::vector<long long> centres;
                for (const auto& s : planted[pr.enhancer_name])
                    if (cooperating_enhancer.count(s.motif)) centres.push_back((s.start + s.end) / 2 - w.start);
                auto holds = [&](const std::vector<std::pair<std::size_t, std::size_t>>& regions) {
                    return std::any_of(centres.begin(), centres.end(), [&](long long c) {
                        return std::any_of(regions.begin(), regions.end(), [&](const auto& reg) { return c >= (long long)reg.first && c < (long long)reg.second; });
                    });
                };
                hit += holds(enhancer_scans[i].regions);
                for (int k = 0; k < 20; ++k) {
                    std::vector<std::pair<std::size_t, std::size_t>> random;
                    for (const auto& reg : enhancer_scans[i].regions) {
                        const std::size_t size = reg.second - reg.first;
                        const std::size_t s = rng.next_below(eg.window - size + 1);
                        random.emplace_back(s, s + size);
                    }
                    expected += holds(random) / 20.0;
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
            for (const auto& [a, b] : cooperating) {
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
            summary["recovery"] = {{"positive_pairs", positives},
                                   {"top_enhancer_regions_hold_cooperating_site", positives ? double(hit) / double(positives) : 0.0},
                                   {"expected_for_random_regions", positives ? expected / double(positives) : 0.0},
                                   {"planted_pairs", ranks},
                                   {"planted_pairs_in_top15", in_top15}};
        }
        if (example.index != SIZE_MAX) {
            const auto& e = explained[example.index];
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
                for (const auto& [s0, s1] : regions_of(*bins, *g)) regions.push_back({s0, s1});
                // Sites of the side's ten most enriched motifs, so that the view stays readable.
                std::set<std::size_t> shown;
                for (const auto& row : tables[table]) {
                    if (shown.size() == 10) break;
                    if (row.sites > 0) shown.insert(row.motif);
                }
                nlohmann::json found = nlohmann::json::array();
                for (const auto& [m, centre] : sites[scan])
                    if (shown.count(m)) {
                        const auto half = (long long)motifs[m].length() / 2;
                        found.push_back({{"motif", motifs[m].name}, {"start", (long long)centre - half},
                                         {"end", (long long)centre - half + (long long)motifs[m].length()}});
                    }
                nlohmann::json truth = nlohmann::json::array();
                const std::string& element_name = std::string(side) == "enhancer" ? pr.enhancer_name : pr.promoter_name;
                if (const auto it = planted.find(element_name); it != planted.end())
                    for (const auto& site : it->second) {
                        const auto m = find_motif(motifs, site.motif);
                        truth.push_back({{"motif", m ? motifs[*m].name : site.motif}, {"start", site.start - w.start},
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
            helix::write_file_atomically(out / "example_pair.json", j.dump() + "\n");
        }
        helix::write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
        together.commit();
        directory.keep();
        return summary;
    }
}

}  // namespace epiann
