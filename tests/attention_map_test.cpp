// Attention bins to genome regions (examples/epiann/explain/attention_map.hpp), checked against DESIGN's figures
// (3000 bp -> 100 bins with 7 padding positions before; 2000 bp -> 67 with 12) and a brute-force pooling map.
#include <catch2/catch.hpp>

#include <tuple>

#include "explain/attention_map.hpp"

TEST_CASE("bins of the paper's windows: counts, padding, 44 bp at a 30 bp stride") {
    const epiann::bin_geometry enhancer{3000, 15, 30}, promoter{2000, 15, 30};
    CHECK(enhancer.bins() == 100);
    CHECK(enhancer.pad_before() == 7);
    CHECK(promoter.bins() == 67);
    CHECK(promoter.pad_before() == 12);
    // Interior bins: 30 convolution outputs + 14 more bases.
    CHECK(enhancer.span(1) == std::pair<std::size_t, std::size_t>{23, 67});
    CHECK(enhancer.span(50).second - enhancer.span(50).first == 44);
    CHECK(enhancer.span(51).first - enhancer.span(50).first == 30);
    // Edge bins are clipped by the padding.
    CHECK(enhancer.span(0) == std::pair<std::size_t, std::size_t>{0, 37});
    CHECK(enhancer.span(99).second == 3000);
}

TEST_CASE("bin spans equal the bases a brute-force SAME max-pool reads") {
    for (std::size_t window : {60, 77, 200, 1000, 2000}) {
        const epiann::bin_geometry g{window, 15, 30};
        const std::size_t conv = window - 14, bins = g.bins();
        const std::size_t pad_total = bins * 30 - conv;
        for (std::size_t k = 0; k < bins; ++k) {
            std::size_t lo = window, hi = 0;
            for (std::size_t q = k * 30; q < k * 30 + 30; ++q) {  // padded positions of this pool window
                if (q < pad_total / 2 || q >= pad_total / 2 + conv) continue;
                const std::size_t p = q - pad_total / 2;  // convolution output, reading bases [p, p + 15)
                lo = std::min(lo, p);
                hi = std::max(hi, p + 15);
            }
            INFO("window " << window << ", bin " << k);
            CHECK(g.span(k) == std::pair<std::size_t, std::size_t>{lo, hi});
        }
    }
}

// The zoo's bins (models/variant.hpp, kmer_bins): five N rows, 6-mer tokens (token t reads window bases [t - 5, t + 1)),
// a convolution of w tokens, valid or 'same' (zero tokens around), then a valid max-pool of P.
TEST_CASE("bin spans of 6-mer models equal the bases a brute-force token, convolution and pool pipeline reads") {
    for (const bool same : {false, true})
        for (const auto& [window, w, pool] : {std::tuple<std::size_t, std::size_t, std::size_t>{1000, 40, 20}, {800, 36, 20},
                                            {3000, 60, 30}, {2000, 61, 10}, {150, 7, 4}}) {
            const std::size_t before = same ? (w - 1) / 2 : 0, after = same ? w - 1 - before : 0;
            const epiann::bin_geometry g{window, w + 5, pool, false, before + 5, after};
            const std::size_t tokens = window, conv = tokens + before + after - w + 1;
            REQUIRE(g.bins() == conv / pool);
            for (std::size_t k = 0; k < g.bins(); ++k) {
                long long lo = (long long)window, hi = 0;
                for (std::size_t p = k * pool; p < k * pool + pool; ++p)  // convolution outputs of the pool window
                    for (std::size_t i = 0; i < w; ++i) {
                        const long long t = (long long)(p + i) - (long long)before;  // token, or padding outside [0, L)
                        if (t < 0 || t >= (long long)tokens) continue;
                        lo = std::min(lo, std::max(0LL, t - 5));
                        hi = std::max(hi, t + 1);
                    }
                INFO("window " << window << ", width " << w << ", pool " << pool << (same ? ", same" : ", valid") << ", bin " << k);
                CHECK(g.span(k) == std::pair<std::size_t, std::size_t>{std::size_t(lo), std::size_t(hi)});
            }
        }
}

TEST_CASE("importance: column maxima, per-base maxima over covering bins, top bins") {
    const std::vector<float> m{0.1f, 0.7f, 0.2f,   // row 0
                               0.5f, 0.3f, 0.2f};  // row 1
    CHECK(epiann::column_max(m, 2, 3) == std::vector<float>{0.5f, 0.7f, 0.2f});
    const epiann::bin_geometry g{74, 15, 30};  // 60 conv outputs, 2 bins, no padding: [0, 44) and [30, 74)
    const auto bases = epiann::base_importance(g, std::vector<float>{0.2f, 0.6f});
    CHECK(bases[0] == 0.2f);
    CHECK(bases[29] == 0.2f);
    CHECK(bases[30] == 0.6f);  // covered by both bins: the larger
    CHECK(bases[73] == 0.6f);
    const auto top = epiann::top_bins(std::vector<float>{0.1f, 0.9f, 0.5f, 0.9f}, 3);
    REQUIRE(top.size() == 3);
    CHECK(top[0].bin == 1);
    CHECK(top[1].bin == 3);
    CHECK(top[2].bin == 2);
}
