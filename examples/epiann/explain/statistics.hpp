// Statistics for enrichment analyses.
//   fisher_exact     two-sided Fisher's exact test of a 2x2 table [[a, b], [c, d]] (as scipy.stats.fisher_exact:
//                    the sum of the probabilities of every table with the same margins that is no more likely
//                    than the observed one, with a relative tolerance of 1e-7 for ties), and the odds ratio
//   benjamini_hochberg  FDR-adjusted p-values (q-values), monotone, in input order (as statsmodels' fdr_bh)
//   permutation_p_value (1 + #{null >= observed}) / (1 + #null): never zero, as recommended by Phipson & Smyth
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace epiann {

struct fisher_result {
    double p_value = 1;
    double odds_ratio = 0;  // (a d) / (b c); infinity when b c = 0 < a d; NaN for 0/0
};

fisher_result fisher_exact(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d);

std::vector<double> benjamini_hochberg(std::span<const double> p_values);

double permutation_p_value(double observed, std::span<const double> null_values);

}  // namespace epiann
