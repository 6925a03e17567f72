// BEDPE and UCSC interact writers (examples/epiann/tracks/interactions.hpp): exact lines for known input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tracks/interactions.hpp"

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const std::vector<epiann::scored_interaction> items{
    {{"chr1", 1000, 4000, "enh1"}, {"chr1", 50000, 52000, "prom1"}, "pair1", 0.8765},
    {{"chr2", 90000, 93000, "enh2"}, {"chr2", 10000, 12000, "prom2"}, "pair2", 0.0004},
    {{"chr3", 500, 3500, "enh3"}, {"chrX", 700, 2700, "prom3"}, "pair3", 1.0},
};

}  // namespace

TEST_CASE("BEDPE lines carry both regions, the name and the value") {
    const auto path = std::filesystem::temp_directory_path() / "epiann_interactions_test.bedpe";
    epiann::write_bedpe(path, items);
    const auto lines = lines_of(path);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "chr1\t1000\t4000\tchr1\t50000\t52000\tpair1\t0.8765");
    CHECK(lines[1] == "chr2\t90000\t93000\tchr2\t10000\t12000\tpair2\t0.0004");
}

TEST_CASE("interact lines have 18 columns, span both regions and scale the score to 0-1000") {
    const auto path = std::filesystem::temp_directory_path() / "epiann_interactions_test.interact";
    epiann::write_interact(path, items, "epiann", "predicted interactions");
    const auto lines = lines_of(path);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].rfind("track type=interact name=\"epiann\"", 0) == 0);
    CHECK(lines[1] == "chr1\t1000\t52000\tpair1\t877\t0.8765\t.\t0,0,0\tchr1\t1000\t4000\tenh1\t.\tchr1\t50000\t52000\tprom1\t.");
    CHECK(lines[2].rfind("chr2\t10000\t93000\tpair2\t0\t", 0) == 0);  // lower region first
    CHECK(lines[3].rfind("chr3\t500\t3500\tpair3\t1000\t", 0) == 0);  // other chromosome: source coordinates
    for (std::size_t i = 1; i < lines.size(); ++i) CHECK(std::count(lines[i].begin(), lines[i].end(), '\t') == 17);
}
