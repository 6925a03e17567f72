#include "audit/canaries.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace epiann {
namespace {

using set = canary_pair::set;

struct window {
    long long start, end;
    std::size_t owner;  // index of the training positive
};

// Training positives' windows per chromosome, sorted by start, for overlap queries.
class window_index {
public:
    void add(const std::string& chromosome, long long start, long long end, std::size_t owner) {
        by_chromosome_[chromosome].push_back({start, end, owner});
    }
    void finish() {
        for (auto& [name, windows] : by_chromosome_) {
            std::sort(windows.begin(), windows.end(), [](const window& a, const window& b) { return a.start < b.start; });
            for (const auto& w : windows) longest_ = std::max(longest_, w.end - w.start);
        }
    }
    // Owners of the windows overlapping [start, end) on `chromosome`, sorted.
    std::vector<std::size_t> overlapping(const std::string& chromosome, long long start, long long end) const {
        std::vector<std::size_t> owners;
        const auto it = by_chromosome_.find(chromosome);
        if (it == by_chromosome_.end()) return owners;
        const auto& windows = it->second;
        // Windows starting before start - longest cannot reach [start, end).
        auto first = std::lower_bound(windows.begin(), windows.end(), start - longest_,
                                      [](const window& w, long long s) { return w.start < s; });
        for (auto w = first; w != windows.end() && w->start < end; ++w)
            if (w->end > start) owners.push_back(w->owner);
        std::sort(owners.begin(), owners.end());
        return owners;
    }

private:
    std::unordered_map<std::string, std::vector<window>> by_chromosome_;
    long long longest_ = 0;
};

std::vector<double> overlap_scores(std::span<const canary_pair> pairs) {
    window_index enhancers, promoters;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto& p = pairs[i];
        if (p.in == set::test || p.label != 1) continue;
        enhancers.add(p.enhancer_chromosome, p.enhancer_start, p.enhancer_end, i);
        promoters.add(p.promoter_chromosome, p.promoter_start, p.promoter_end, i);
    }
    enhancers.finish();
    promoters.finish();
    std::vector<double> scores;
    for (const auto& p : pairs) {
        if (p.in != set::test) continue;
        const auto e = enhancers.overlapping(p.enhancer_chromosome, p.enhancer_start, p.enhancer_end);
        const auto q = promoters.overlapping(p.promoter_chromosome, p.promoter_start, p.promoter_end);
        std::vector<std::size_t> both;
        std::set_intersection(e.begin(), e.end(), q.begin(), q.end(), std::back_inserter(both));
        scores.push_back(both.empty() ? 0.0 : 1.0);
    }
    return scores;
}

std::vector<double> propensity_scores(std::span<const canary_pair> pairs) {
    struct counts {
        double positives = 0, total = 0;
    };
    std::unordered_map<std::string, counts> enhancers, promoters;
    double positives = 0, total = 0;
    for (const auto& p : pairs) {
        if (p.in == set::test) continue;
        for (auto* c : {&enhancers[p.enhancer_id], &promoters[p.promoter_id]}) {
            c->positives += p.label;
            c->total += 1;
        }
        positives += p.label;
        total += 1;
    }
    const double base = total > 0 ? positives / total : 0;
    auto rate = [&](const std::unordered_map<std::string, counts>& table, const std::string& id) {
        const auto it = table.find(id);
        if (it == table.end()) return base;
        return (it->second.positives + base) / (it->second.total + 1);  // one pseudo-pair at the base rate
    };
    std::vector<double> scores;
    for (const auto& p : pairs)
        if (p.in == set::test) scores.push_back((rate(enhancers, p.enhancer_id) + rate(promoters, p.promoter_id)) / 2);
    return scores;
}

double midpoint_distance(const canary_pair& p) {
    if (p.enhancer_chromosome != p.promoter_chromosome) return 1e12;  // trans pairs: farthest
    return std::abs(double(p.enhancer_start + p.enhancer_end) / 2 - double(p.promoter_start + p.promoter_end) / 2);
}

std::vector<double> distance_scores(std::span<const canary_pair> pairs) {
    std::vector<double> train_scores;
    std::vector<int> train_labels;
    for (const auto& p : pairs)
        if (p.in != set::test) {
            train_scores.push_back(-midpoint_distance(p));
            train_labels.push_back(p.label);
        }
    const double train_auroc = auroc(train_scores, train_labels);
    const double sign = std::isnan(train_auroc) || train_auroc >= 0.5 ? -1.0 : 1.0;  // near scores higher by default
    std::vector<double> scores;
    for (const auto& p : pairs)
        if (p.in == set::test) scores.push_back(sign * midpoint_distance(p));
    return scores;
}

}  // namespace

std::vector<canary_scores> leak_canaries(std::span<const canary_pair> pairs) {
    std::vector<int> labels;
    for (const auto& p : pairs)
        if (p.in == set::test) labels.push_back(p.label);
    if (labels.empty()) throw std::invalid_argument("leak canaries: the split has no test pairs");
    std::vector<canary_scores> out;
    out.push_back({"overlap", overlap_scores(pairs), {}});
    out.push_back({"propensity", propensity_scores(pairs), {}});
    out.push_back({"distance", distance_scores(pairs), {}});
    for (auto& c : out) c.report = classify(c.scores, labels);
    return out;
}

}  // namespace epiann
