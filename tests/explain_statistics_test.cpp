// Enrichment statistics (examples/epiann/explain/statistics.hpp) against scipy and hand-checked values.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "explain/statistics.hpp"

TEST_CASE("Fisher's exact test agrees with scipy.stats.fisher_exact (two-sided)") {
    // Expected p-values printed by scipy 1.10.1:
    //   python3 -c "from scipy.stats import fisher_exact; print(fisher_exact([[a, b], [c, d]])[1])"
    struct row {
        std::uint64_t a, b, c, d;
        double p;
    };
    const std::vector<row> table{
        {3, 1, 1, 3, 0.48571428571428565},       {10, 2, 3, 15, 0.0005367241191434357},
        {0, 5, 5, 0, 0.007936507936507938},      {1, 9, 11, 3, 0.0027594561852200836},
        {100, 200, 150, 400, 0.0701145185675563}, {7, 0, 0, 7, 0.0005827505827505828},
        {2, 30, 1, 300, 0.025291990202993737},
    };
    for (const auto& r : table) {
        INFO(r.a << " " << r.b << " " << r.c << " " << r.d);
        CHECK(epiann::fisher_exact(r.a, r.b, r.c, r.d).p_value == Approx(r.p).epsilon(1e-9));
    }
    CHECK(epiann::fisher_exact(10, 2, 3, 15).odds_ratio == Approx(25.0));
    CHECK(std::isinf(epiann::fisher_exact(7, 0, 0, 7).odds_ratio));
    CHECK(epiann::fisher_exact(0, 0, 0, 0).p_value == 1.0);
}

TEST_CASE("Benjamini-Hochberg q-values are monotone and in input order") {
    const std::vector<double> p{0.01, 0.04, 0.03, 0.005, 0.5};
    // Sorted: 0.005 (x5/1 = 0.025), 0.01 (x5/2 = 0.025), 0.03 (x5/3 = 0.05), 0.04 (x5/4 = 0.05), 0.5 (x5/5 = 0.5)
    const auto q = epiann::benjamini_hochberg(p);
    const std::vector<double> expected{0.025, 0.05, 0.05, 0.025, 0.5};
    for (std::size_t i = 0; i < p.size(); ++i) CHECK(q[i] == Approx(expected[i]));
}

TEST_CASE("permutation p-values count the observation itself") {
    const std::vector<double> null{0.1, 0.2, 0.3, 0.4};
    CHECK(epiann::permutation_p_value(0.35, null) == Approx(2.0 / 5));
    CHECK(epiann::permutation_p_value(1.0, null) == Approx(1.0 / 5));  // never zero
}
