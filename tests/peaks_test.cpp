// Peak sets (examples/epiann/explain/peaks.hpp): overlap queries against a brute-force check, and bad files.
#include <catch2/catch.hpp>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"
#include "explain/peaks.hpp"

TEST_CASE("overlap queries agree with checking every peak") {
    const auto peaks = epiann::peak_set::read(HELIX_TEST_DATA_DIR "/peaks/good.narrowPeak");
    CHECK(peaks.size() == 4);
    CHECK(peaks.overlaps("chr1", 0, 101));
    CHECK_FALSE(peaks.overlaps("chr1", 0, 100));  // half-open: touching is not overlapping
    CHECK(peaks.overlaps("chr1", 999, 1200));
    CHECK_FALSE(peaks.overlaps("chr1", 1000, 5000));
    CHECK(peaks.overlaps("chr1", 400, 401));  // inside the long peak, after a short one ended
    CHECK_FALSE(peaks.overlaps("chr3", 0, 100));

    epiann::peak_set random;
    std::vector<std::pair<long long, long long>> list;
    helix::counter_rng rng(4);
    for (int i = 0; i < 300; ++i) {
        const long long s = (long long)rng.next_below(100000), len = 1 + (long long)rng.next_below(2000);
        random.add("chrR", s, s + len);
        list.emplace_back(s, s + len);
    }
    random.finish();
    for (int q = 0; q < 2000; ++q) {
        const long long s = (long long)rng.next_below(102000), e = s + 1 + (long long)rng.next_below(300);
        const bool expected = std::any_of(list.begin(), list.end(), [&](auto p) { return p.first < e && p.second > s; });
        CHECK(random.overlaps("chrR", s, e) == expected);
        std::size_t listed = 0;
        for (const auto& p : list) listed += p.first < e && p.second > s;
        const auto found = random.within("chrR", s, e);
        CHECK(found.size() == listed);
        for (const auto& [ps, pe] : found) CHECK((ps < e && pe > s));
        CHECK(std::is_sorted(found.begin(), found.end()));
    }
}

TEST_CASE("bad peak files name the file and line") {
    using Catch::Contains;
    CHECK_THROWS_WITH(epiann::peak_set::read(HELIX_TEST_DATA_DIR "/peaks/end_before_start.narrowPeak"),
                      Contains("end_before_start.narrowPeak:2: end 250 is not after start 300"));
    CHECK_THROWS_WITH(epiann::peak_set::read(HELIX_TEST_DATA_DIR "/peaks/short_line.narrowPeak"),
                      Contains("short_line.narrowPeak:1: expected at least 3"));
    CHECK_THROWS_WITH(epiann::peak_set::read(HELIX_TEST_DATA_DIR "/peaks/empty.narrowPeak"), Contains("empty"));
    CHECK_THROWS_AS(epiann::peak_set::read(HELIX_TEST_DATA_DIR "/peaks/missing.narrowPeak"), epiann::input_error);
}
