#include "evaluate/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace epiann {
namespace {

void check_inputs(std::span<const double> scores, std::span<const int> labels) {
    if (scores.size() != labels.size())
        throw std::invalid_argument("metrics: " + std::to_string(scores.size()) + " scores but " +
                                    std::to_string(labels.size()) + " labels");
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != 0 && labels[i] != 1)
            throw std::invalid_argument("metrics: label " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                                        ", expected 0 or 1");
        if (!std::isfinite(scores[i]))
            throw std::invalid_argument("metrics: score " + std::to_string(i) + " is not finite");
    }
}

// Cumulative true and false positives at each distinct score, from the highest score down: the points of the
// ROC and precision-recall curves.
struct curve_point {
    double threshold;
    double true_positives, false_positives;
};

std::vector<curve_point> curve(std::span<const double> scores, std::span<const int> labels) {
    check_inputs(scores, labels);
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::vector<curve_point> points;
    double tp = 0, fp = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        (labels[order[k]] == 1 ? tp : fp) += 1;
        if (k + 1 == order.size() || scores[order[k + 1]] != scores[order[k]])
            points.push_back({scores[order[k]], tp, fp});
    }
    return points;
}

double f1_from(double tp, double fp, double positives) {
    const double denominator = 2 * tp + fp + (positives - tp);
    return denominator == 0 ? 0.0 : 2 * tp / denominator;
}

}  // namespace

double auroc(std::span<const double> scores, std::span<const int> labels) {
    const auto points = curve(scores, labels);
    if (points.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double positives = points.back().true_positives, negatives = points.back().false_positives;
    if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
    double area = 0, tp_prev = 0, fp_prev = 0;
    for (const auto& p : points) {
        area += (p.false_positives - fp_prev) * (p.true_positives + tp_prev) / 2;
        tp_prev = p.true_positives;
        fp_prev = p.false_positives;
    }
    return area / (positives * negatives);
}

double average_precision(std::span<const double> scores, std::span<const int> labels) {
    const auto points = curve(scores, labels);
    if (points.empty()) return std::numeric_limits<double>::quiet_NaN();
    const double positives = points.back().true_positives;
    if (positives == 0) return std::numeric_limits<double>::quiet_NaN();
    double ap = 0, recall_prev = 0;
    for (const auto& p : points) {
        const double recall = p.true_positives / positives;
        const double precision = p.true_positives / (p.true_positives + p.false_positives);
        ap += (recall - recall_prev) * precision;
        recall_prev = recall;
    }
    return ap;
}

double f1_at(std::span<const double> scores, std::span<const int> labels, double threshold) {
    check_inputs(scores, labels);
    double tp = 0, fp = 0, positives = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        positives += labels[i];
        if (scores[i] >= threshold) (labels[i] == 1 ? tp : fp) += 1;
    }
    return f1_from(tp, fp, positives);
}

best_f1_result best_f1(std::span<const double> scores, std::span<const int> labels) {
    const auto points = curve(scores, labels);
    best_f1_result best;
    if (points.empty()) return best;
    const double positives = points.back().true_positives;
    for (const auto& p : points) {
        const double f1 = f1_from(p.true_positives, p.false_positives, positives);
        if (f1 > best.f1) best = {f1, p.threshold};
    }
    return best;
}

classification_report classify(std::span<const double> scores, std::span<const int> labels) {
    classification_report r;
    r.count = scores.size();
    r.positives = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 1));
    r.positive_rate = r.count == 0 ? 0.0 : double(r.positives) / double(r.count);
    r.auroc = auroc(scores, labels);
    r.aupr = average_precision(scores, labels);
    r.f1_at_half = f1_at(scores, labels, 0.5);
    r.best = best_f1(scores, labels);
    return r;
}

namespace {
std::vector<plot_point> thin(std::vector<plot_point> points, std::size_t max_points) {
    if (points.size() <= max_points || max_points < 2) return points;
    std::vector<plot_point> out;
    const double step = double(points.size() - 1) / double(max_points - 1);
    for (std::size_t k = 0; k < max_points; ++k) out.push_back(points[std::size_t(std::lround(double(k) * step))]);
    return out;
}
}  // namespace

std::vector<plot_point> roc_curve(std::span<const double> scores, std::span<const int> labels, std::size_t max_points) {
    const auto points = curve(scores, labels);
    if (points.empty() || points.back().true_positives == 0 || points.back().false_positives == 0) return {};
    const double positives = points.back().true_positives, negatives = points.back().false_positives;
    std::vector<plot_point> out{{0, 0}};
    for (const auto& p : points) out.push_back({p.false_positives / negatives, p.true_positives / positives});
    return thin(std::move(out), max_points);
}

std::vector<plot_point> pr_curve(std::span<const double> scores, std::span<const int> labels, std::size_t max_points) {
    const auto points = curve(scores, labels);
    if (points.empty() || points.back().true_positives == 0 || points.back().false_positives == 0) return {};
    const double positives = points.back().true_positives;
    std::vector<plot_point> out;
    for (const auto& p : points)
        out.push_back({p.true_positives / positives, p.true_positives / (p.true_positives + p.false_positives)});
    return thin(std::move(out), max_points);
}

}  // namespace epiann
