#include "audit/motif_baseline.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace epiann {

std::vector<double> marginal_motif_baseline(std::span<const baseline_pair> pairs,
                                            const std::vector<std::vector<std::uint32_t>>& motifs_of_enhancer,
                                            const std::vector<std::vector<std::uint32_t>>& motifs_of_promoter,
                                            std::size_t motif_count, const baseline_options& options) {
    for (const auto& lists : {&motifs_of_enhancer, &motifs_of_promoter})
        for (const auto& list : *lists)
            for (auto m : list)
                if (m >= motif_count) throw std::invalid_argument("motif baseline: motif index " + std::to_string(m) + " out of range");
    // Parameters: bias, enhancer weights [1, 1 + M), promoter weights [1 + M, 1 + 2M).
    const std::size_t n_params = 1 + 2 * motif_count;
    std::vector<double> w(n_params, 0.0), grad(n_params), m1(n_params, 0.0), m2(n_params, 0.0);
    std::vector<double> enhancer_residual(motifs_of_enhancer.size()), promoter_residual(motifs_of_promoter.size());
    auto logit = [&](const baseline_pair& p) {
        double z = w[0];
        for (auto m : motifs_of_enhancer.at(p.enhancer)) z += w[1 + m];
        for (auto m : motifs_of_promoter.at(p.promoter)) z += w[1 + motif_count + m];
        return z;
    };
    std::size_t n_train = 0;
    double positives = 0;
    for (const auto& p : pairs)
        if (p.train) {
            ++n_train;
            positives += p.label;
        }
    if (n_train == 0) throw std::invalid_argument("motif baseline: no training pairs");
    // Start from the base rate so that early iterations fit motifs, not the intercept.
    const double rate = std::clamp(positives / double(n_train), 1e-6, 1 - 1e-6);
    w[0] = std::log(rate / (1 - rate));
    for (std::size_t it = 1; it <= options.iterations; ++it) {
        std::fill(enhancer_residual.begin(), enhancer_residual.end(), 0.0);
        std::fill(promoter_residual.begin(), promoter_residual.end(), 0.0);
        double bias_grad = 0;
        for (const auto& p : pairs) {
            if (!p.train) continue;
            const double r = 1 / (1 + std::exp(-logit(p))) - p.label;  // d(mean log loss)/d(logit) x n
            enhancer_residual[p.enhancer] += r;
            promoter_residual[p.promoter] += r;
            bias_grad += r;
        }
        std::fill(grad.begin(), grad.end(), 0.0);
        grad[0] = bias_grad / double(n_train);
        // Residuals summed per element, then spread to that element's motifs: one pass over the elements.
        for (std::size_t e = 0; e < motifs_of_enhancer.size(); ++e)
            for (auto m : motifs_of_enhancer[e]) grad[1 + m] += enhancer_residual[e] / double(n_train);
        for (std::size_t e = 0; e < motifs_of_promoter.size(); ++e)
            for (auto m : motifs_of_promoter[e]) grad[1 + motif_count + m] += promoter_residual[e] / double(n_train);
        for (std::size_t k = 1; k < n_params; ++k) grad[k] += options.l2 * w[k];
        const double b1 = 0.9, b2 = 0.999;
        const double c1 = 1 - std::pow(b1, double(it)), c2 = 1 - std::pow(b2, double(it));
        for (std::size_t k = 0; k < n_params; ++k) {
            m1[k] = b1 * m1[k] + (1 - b1) * grad[k];
            m2[k] = b2 * m2[k] + (1 - b2) * grad[k] * grad[k];
            w[k] -= options.learning_rate * (m1[k] / c1) / (std::sqrt(m2[k] / c2) + 1e-8);
        }
    }
    std::vector<double> scores;
    for (const auto& p : pairs)
        if (p.test) scores.push_back(1 / (1 + std::exp(-logit(p))));
    return scores;
}

}  // namespace epiann
