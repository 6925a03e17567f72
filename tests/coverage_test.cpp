// Coverage tracks (examples/epiann/tracks/coverage.hpp): max-merging of overlapping windows, bedGraph text, and a
// bigWig that libBigWig reads back with the same values.
#include <catch2/catch.hpp>

#include <bigWig.h>

#include <filesystem>
#include <fstream>

#include "tracks/coverage.hpp"

TEST_CASE("overlapping windows keep the larger value per base and runs merge") {
    epiann::coverage_track t;
    const std::vector<float> a{1, 1, 1, 1}, b{2, 2, 0.5f};
    t.add("chr1", 10, a);  // bases 10-13
    t.add("chr1", 12, b);  // bases 12-14: 12 and 13 become 2, 14 is 0.5
    t.add("chr2", 0, a);
    const auto runs = t.intervals("chr1");
    REQUIRE(runs.size() == 3);
    CHECK((runs[0].start == 10 && runs[0].end == 12 && runs[0].value == 1));
    CHECK((runs[1].start == 12 && runs[1].end == 14 && runs[1].value == 2));
    CHECK((runs[2].start == 14 && runs[2].end == 15 && runs[2].value == 0.5f));

    const auto dir = std::filesystem::temp_directory_path();
    t.write_bedgraph(dir / "epiann_coverage_test.bedGraph", "attention");
    std::ifstream in(dir / "epiann_coverage_test.bedGraph");
    std::string header, line1;
    std::getline(in, header);
    std::getline(in, line1);
    CHECK(header.rfind("track type=bedGraph", 0) == 0);
    CHECK(line1 == "chr1\t10\t12\t1");

    const auto bw = dir / "epiann_coverage_test.bw";
    t.write_bigwig(bw, {{"chr1", 1000}, {"chr2", 500}, {"chr3", 100}});
    REQUIRE(bwInit(1 << 17) == 0);
    bigWigFile_t* fp = bwOpen(bw.c_str(), nullptr, "r");
    REQUIRE(fp != nullptr);
    bwOverlappingIntervals_t* iv = bwGetValues(fp, "chr1", 10, 15, 0);
    REQUIRE(iv != nullptr);
    REQUIRE(iv->l == 5);
    const std::vector<float> expected{1, 1, 2, 2, 0.5f};
    for (std::uint32_t k = 0; k < iv->l; ++k) {
        CHECK(iv->start[k] == 10 + k);
        CHECK(iv->value[k] == expected[k]);
    }
    bwDestroyOverlappingIntervals(iv);
    bwClose(fp);
    CHECK_THROWS_WITH(t.write_bigwig(dir / "x.bw", {{"chr1", 1000}}), Catch::Contains("no size for chromosome chr2"));
    CHECK_FALSE(std::filesystem::exists(dir / "x.bw"));
}
