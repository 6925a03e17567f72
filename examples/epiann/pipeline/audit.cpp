#include "pipeline/audit.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "audit/canaries.hpp"
#include "evaluate/curve_json.hpp"
#include "audit/motif_baseline.hpp"
#include "common/errors.hpp"
#include "common/line_reader.hpp"
#include "data/windows.hpp"
#include "motifs/pfm.hpp"
#include "motifs/scan.hpp"

namespace epiann {
namespace {

std::string split_label(const split_request& s) {
    return s.kind == "paper" ? "paper (random 90/10, seed " + std::to_string(s.seed) + ")"
                             : "chromosome (fold " + std::to_string(s.fold) + " held out)";
}

// Motif ids listed in a grammar or list file (any word that names a motif), in file order.
std::vector<std::size_t> motifs_named_in(const std::string& path, const std::vector<motif>& motifs) {
    std::vector<std::size_t> out;
    line_reader in(path);
    while (auto line = in.next()) {
        std::istringstream words{std::string(line->substr(0, line->find('#')))};
        for (std::string w; words >> w;)
            if (const auto m = find_motif(motifs, w); m && std::find(out.begin(), out.end(), *m) == out.end()) out.push_back(*m);
    }
    if (out.empty()) throw input_error_at(path, 0, "names no known motif");
    return out;
}

}  // namespace

nlohmann::json audit_result::to_json() const {
    nlohmann::json j = nlohmann::json::array();
    auto finite = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    for (const auto& r : rows)
        j.push_back({{"split", r.split}, {"predictor", r.predictor}, {"auroc", finite(r.report.auroc)},
                     {"aupr", finite(r.report.aupr)}, {"test_pairs", r.report.count}, {"positive_rate", r.report.positive_rate},
                     {"roc", curve_json(r.roc)}, {"pr", curve_json(r.pr)}});
    return j;
}

std::string audit_result::table() const {
    std::string s = "split                                  predictor         AUROC   AUPR    (test pairs, positive rate)\n";
    char buf[256];
    for (const auto& r : rows) {
        std::snprintf(buf, sizeof buf, "%-38s %-16s %6.3f  %6.3f  (%zu, %.3f)\n", r.split.c_str(), r.predictor.c_str(),
                      r.report.auroc, r.report.aupr, r.report.count, r.report.positive_rate);
        s += buf;
    }
    return s;
}

audit_result run_audit(const audit_request& request) {
    const pair_file pairs = read_pairs(request.pairs);
    if (!pairs.labelled()) throw input_error_at(pairs.path, 0, "the audit needs labelled pairs (TargetFinder CSV)");
    if (pairs.duplicates > 0) std::fprintf(stderr, "%s\n", pairs.duplicates_note().c_str());
    std::unique_ptr<genome> g;
    chromosome_lengths lengths = [](const std::string&) -> std::optional<long long> { return 1LL << 40; };  // no genome: no ends
    if (!request.genome.empty()) {
        g = genome::open(request.genome);
        lengths = [&g](const std::string& n) { return g->length(n); };
    }
    window_options wo;
    wo.enhancer_length = request.enhancer_window;
    wo.promoter_length = request.promoter_window;
    std::vector<pair_windows> windows;
    for (const auto& p : pairs.pairs) windows.push_back(make_pair_windows(p, wo, 0, lengths, pairs.path));

    // Motif presence per distinct element window, for the baseline (genome only).
    std::vector<std::vector<std::uint32_t>> enhancer_motifs, promoter_motifs;
    std::vector<std::size_t> enhancer_of(pairs.pairs.size()), promoter_of(pairs.pairs.size());
    std::size_t motif_count = 0;
    if (g) {
        const auto all = read_jaspar(request.motifs);
        std::vector<std::size_t> chosen;
        if (request.baseline_motifs.empty()) {
            for (std::size_t i = 0; i < all.size(); ++i) chosen.push_back(i);
        } else {
            chosen = motifs_named_in(request.baseline_motifs, all);
        }
        std::vector<position_matrix> matrices;
        for (auto i : chosen) matrices.push_back(all[i].probabilities());
        motif_count = matrices.size();
        const motif_scanner scanner(std::move(matrices), request.p_value);
        std::map<std::string, std::size_t> enhancer_index, promoter_index;
        std::vector<const window*> enhancer_windows, promoter_windows;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
            const auto& w = windows[i];
            auto [e, new_e] = enhancer_index.try_emplace(w.enhancer.span.text(), enhancer_windows.size());
            if (new_e) enhancer_windows.push_back(&w.enhancer);
            auto [p, new_p] = promoter_index.try_emplace(w.promoter.span.text(), promoter_windows.size());
            if (new_p) promoter_windows.push_back(&w.promoter);
            enhancer_of[i] = e->second;
            promoter_of[i] = p->second;
        }
        auto scan_all = [&](const std::vector<const window*>& ws, std::vector<std::vector<std::uint32_t>>& out) {
            out.resize(ws.size());
#pragma omp parallel for schedule(dynamic, 16)
            for (std::size_t i = 0; i < ws.size(); ++i) {
                const auto& span = ws[i]->span;
                std::set<std::uint32_t> present;
                for (const auto& site : scanner.scan(g->sequence(span.chromosome, span.start, span.end)))
                    present.insert(std::uint32_t(site.motif));
                out[i].assign(present.begin(), present.end());
            }
        };
        scan_all(enhancer_windows, enhancer_motifs);
        scan_all(promoter_windows, promoter_motifs);
    }

    audit_result result;
    for (const auto& request_split : request.splits) {
        const split s = make_split(pairs, request_split.kind, request_split.fold, request_split.seed);
        std::vector<canary_pair> canary;
        std::vector<baseline_pair> baseline;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
            const auto& p = pairs.pairs[i];
            const auto& w = windows[i];
            canary_pair c;
            c.enhancer_chromosome = w.enhancer.span.chromosome;
            c.promoter_chromosome = w.promoter.span.chromosome;
            c.enhancer_start = w.enhancer.span.start;
            c.enhancer_end = w.enhancer.span.end;
            c.promoter_start = w.promoter.span.start;
            c.promoter_end = w.promoter.span.end;
            c.enhancer_id = p.enhancer.text();
            c.promoter_id = p.promoter.text();
            c.label = p.label;
            c.in = s.sets[i] == pair_set::train ? canary_pair::set::train
                   : s.sets[i] == pair_set::test ? canary_pair::set::test
                                                 : canary_pair::set::validation;
            canary.push_back(std::move(c));
            baseline.push_back({enhancer_of[i], promoter_of[i], p.label, s.sets[i] == pair_set::train, s.sets[i] == pair_set::test});
        }
        const std::string name = split_label(request_split);
        std::vector<int> labels;
        for (const auto& b : baseline)
            if (b.test) labels.push_back(b.label);
        for (const auto& c : leak_canaries(canary))
            result.rows.push_back({name, c.name, c.report, roc_curve(c.scores, labels), pr_curve(c.scores, labels)});
        if (g) {
            const auto scores = marginal_motif_baseline(baseline, enhancer_motifs, promoter_motifs, motif_count);
            result.rows.push_back({name, "motif baseline", classify(scores, labels), roc_curve(scores, labels), pr_curve(scores, labels)});
        }
    }
    return result;
}

}  // namespace epiann
