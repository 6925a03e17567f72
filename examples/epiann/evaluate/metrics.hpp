// Binary classification metrics, defined exactly as scikit-learn defines them (tests/metrics_test.cpp checks
// agreement to 1e-9 on fixtures made by scikit-learn):
//   auroc             roc_auc_score: area under the ROC curve, tied scores forming one step (trapezoid)
//   average_precision average_precision_score: sum over distinct thresholds of (R_n - R_{n-1}) P_n (no interpolation)
//   f1_at(t)          f1_score of the predictions score >= t
//   best_f1           the largest f1_at(t) over every distinct score t, and that threshold
// Requires: labels are 0 or 1, scores finite, same length. A set with one class only has no AUROC: NaN.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace epiann {

double auroc(std::span<const double> scores, std::span<const int> labels);
double average_precision(std::span<const double> scores, std::span<const int> labels);
double f1_at(std::span<const double> scores, std::span<const int> labels, double threshold);

struct best_f1_result {
    double f1 = 0;
    double threshold = 0;
};
best_f1_result best_f1(std::span<const double> scores, std::span<const int> labels);

struct classification_report {
    std::size_t count = 0, positives = 0;
    double positive_rate = 0;
    double auroc = 0, aupr = 0;  // aupr is average precision
    double f1_at_half = 0;
    best_f1_result best;
};
classification_report classify(std::span<const double> scores, std::span<const int> labels);

// Points of the ROC curve (x false positive rate, y true positive rate; from (0, 0) to (1, 1)) and of the
// precision-recall curve (x recall, y precision; from the highest threshold down), one per distinct score, thinned
// to about max_points evenly spaced along the curve for plotting. Empty when a class is missing.
struct plot_point {
    double x = 0, y = 0;
};
std::vector<plot_point> roc_curve(std::span<const double> scores, std::span<const int> labels, std::size_t max_points = 200);
std::vector<plot_point> pr_curve(std::span<const double> scores, std::span<const int> labels, std::size_t max_points = 200);

}  // namespace epiann
