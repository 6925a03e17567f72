#include "explain/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace epiann {
namespace {

double log_choose(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

}  // namespace

fisher_result fisher_exact(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
    fisher_result r;
    const double ad = double(a) * double(d), bc = double(b) * double(c);
    r.odds_ratio = bc > 0 ? ad / bc : ad > 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
    // Margins: row 1 has a + b, column 1 has a + c, total n. The count in cell a follows a hypergeometric law.
    const double row1 = double(a + b), col1 = double(a + c), n = double(a + b + c + d);
    const double row2 = n - row1;
    const double lo = std::max(0.0, col1 - row2), hi = std::min(row1, col1);
    auto log_p = [&](double x) { return log_choose(row1, x) + log_choose(row2, col1 - x) - log_choose(n, col1); };
    const double observed = log_p(double(a));
    double p = 0;
    for (double x = lo; x <= hi; x += 1) {
        const double lp = log_p(x);
        if (lp <= observed + 1e-7 * std::abs(observed) + 1e-12) p += std::exp(lp);  // tolerance for float ties
    }
    r.p_value = std::min(1.0, p);
    return r;
}

std::vector<double> benjamini_hochberg(std::span<const double> p_values) {
    const std::size_t n = p_values.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return p_values[i] < p_values[j]; });
    std::vector<double> q(n);
    double running = 1;
    for (std::size_t k = n; k-- > 0;) {
        running = std::min(running, p_values[order[k]] * double(n) / double(k + 1));
        q[order[k]] = std::min(1.0, running);
    }
    return q;
}

double permutation_p_value(double observed, std::span<const double> null_values) {
    const auto at_least = std::count_if(null_values.begin(), null_values.end(), [&](double v) { return v >= observed; });
    return double(1 + at_least) / double(1 + null_values.size());
}

}  // namespace epiann
