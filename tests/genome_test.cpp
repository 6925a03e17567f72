// Genome readers (examples/epiann/genome/genome.hpp): FASTA + .fai, bgzipped FASTA, .2bit (version 0 little-endian
// and version 1 big-endian) return the same normalised sequence as a plain parse (tests/data/genome/expected.txt,
// made by make_genome_fixtures.py) for many random intervals, from several threads; bad files are input errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <thread>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"
#include "genome/genome.hpp"

namespace {

const std::string dir = HELIX_TEST_DATA_DIR "/genome/";

std::map<std::string, std::string> expected() {
    std::map<std::string, std::string> m;
    std::ifstream in(dir + "expected.txt");
    for (std::string name, seq; in >> name >> seq;) m[name] = seq;
    return m;
}

}  // namespace

TEST_CASE("every genome format returns the same normalised sequence") {
    const auto truth = expected();
    REQUIRE(truth.size() == 3);
    for (const std::string file : {"genome.fa", "genome.fa.gz", "genome.2bit", "genome_v1_big_endian.2bit"}) {
        INFO(file);
        const auto g = epiann::genome::open(dir + file);
        CHECK(g->chromosomes() == std::vector<std::string>{"chr1", "chr2", "chrX_random"});
        for (const auto& [name, seq] : truth) {
            REQUIRE(g->length(name) == (long long)seq.size());
            CHECK(g->sequence(name, 0, (long long)seq.size()) == seq);
        }
        helix::counter_rng rng(17);
        for (int k = 0; k < 500; ++k) {
            const auto& [name, seq] = *std::next(truth.begin(), std::ptrdiff_t(rng.next_below(truth.size())));
            const auto a = (long long)rng.next_below(seq.size() + 1), b = (long long)rng.next_below(seq.size() + 1);
            const long long start = std::min(a, b), end = std::max(a, b);
            REQUIRE(g->sequence(name, start, end) == seq.substr(std::size_t(start), std::size_t(end - start)));
        }
        CHECK_FALSE(g->length("chr9"));
    }
    // Spot checks of the normalisation: soft-masking, IUPAC codes and gaps.
    const auto& chr1 = truth.at("chr1");
    CHECK(chr1.substr(200, 4) == "NNNN");
    CHECK(chr1.find_first_not_of("ACGTN") == std::string::npos);
}

TEST_CASE("sequence() is safe from several threads at once") {
    const auto truth = expected();
    for (const std::string file : {"genome.fa.gz", "genome.2bit"}) {
        const auto g = epiann::genome::open(dir + file);
        std::vector<std::thread> threads;
        std::vector<int> mismatches(4, 0);
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                helix::counter_rng rng(100 + std::uint64_t(t));
                const auto& seq = truth.at("chrX_random");
                for (int k = 0; k < 300; ++k) {
                    const auto start = (long long)rng.next_below(4000);
                    mismatches[std::size_t(t)] += g->sequence("chrX_random", start, start + 1000) != seq.substr(std::size_t(start), 1000);
                }
            });
        for (auto& th : threads) th.join();
        CHECK(mismatches == std::vector<int>(4, 0));
    }
}

TEST_CASE("one_hot encodes A, C, G, T as channels 0-3 and N as zeros") {
    std::vector<float> x(5 * 4, 7.f);
    epiann::one_hot("ACGTN", x.data());
    const std::vector<float> expected{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK(x == expected);
}

TEST_CASE("bad genomes and bad intervals are input errors that say what is wrong") {
    using Catch::Contains;
    auto fails = [](const std::string& file, const std::string& text) {
        INFO(file);
        CHECK_THROWS_AS(epiann::genome::open(dir + file), epiann::input_error);
        CHECK_THROWS_WITH(epiann::genome::open(dir + file), Contains(file) && Contains(text));
    };
    fails("unindexed.fa", "samtools faidx");
    fails("truncated.2bit", "truncated");
    fails("bad_magic.2bit", "not a genome");
    fails("empty.fa", "empty");
    fails("plain_gzip.fa.gz", "bgzip");
    fails("no_such_file.fa", "no such genome file");

    const auto g = epiann::genome::open(dir + "genome.2bit");
    CHECK_THROWS_WITH(g->sequence("chr7", 0, 10), Contains("no chromosome \"chr7\"") && Contains("chr1, chr2"));
    CHECK_THROWS_WITH(g->sequence("chr1", 50, 40), Contains("chr1:50-40: end before start"));
    CHECK_THROWS_WITH(g->sequence("chr1", 900, 1100), Contains("past the end of chr1 (length 1003)"));
    CHECK_THROWS_WITH(g->sequence("chr1", -5, 10), Contains("negative start"));
    const auto f = epiann::genome::open(dir + "genome.fa");
    CHECK_THROWS_WITH(f->sequence("chr2", 0, 62), Contains("past the end of chr2 (length 61)"));
}
