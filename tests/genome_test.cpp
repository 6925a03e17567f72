// Genome readers (examples/epiann/genome/genome.hpp): FASTA + .fai, bgzipped FASTA, .2bit (version 0 little-endian
// and version 1 big-endian) return the same normalised sequence as a plain parse (tests/data/genome/expected.txt,
// made by make_genome_fixtures.py) for many random intervals, from several threads; bad files are input errors;
// a genome of human size is read through its index, never into memory.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
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

namespace {

// Peak resident memory of this process in MB (VmHWM), after resetting the peak when the kernel allows it.
long peak_rss_mb(bool reset = false) {
    if (reset) std::ofstream("/proc/self/clear_refs") << "5";
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
    return -1;
}

// A file of `size` bytes that takes no disk space except where `tail` is written, at its end.
void sparse_file(const std::filesystem::path& p, std::uintmax_t size, const std::string& head, const std::string& tail) {
    {
        std::ofstream out(p, std::ios::binary);
        out << head;
    }
    std::filesystem::resize_file(p, size - tail.size());
    std::ofstream(p, std::ios::binary | std::ios::app) << tail;
    REQUIRE(std::filesystem::file_size(p) == size);
}

}  // namespace

// The sizes of a human assembly: a whole genome in memory would show as gigabytes of peak RSS.
TEST_CASE("a 3 Gb genome is read through its index: opening it and reading its last bases stays small") {
    const auto dir = std::filesystem::temp_directory_path() / ("epiann_big_genome_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const long long bases = 3'000'000'000;
    const long before = peak_rss_mb(true);

    // .2bit, version 0: header, one index entry, the record's header, then 750 MB of packed bases (zeros: T),
    // the last byte 0x1B = T C A G.
    std::string head;
    auto word = [&](std::uint32_t w) { head.append(reinterpret_cast<const char*>(&w), 4); };
    word(0x1A412743), word(0), word(1), word(0);
    head += char(3), head += "chr";
    word(16 + 1 + 3 + 4);  // the record right after the index
    word(std::uint32_t(bases)), word(0), word(0), word(0);
    sparse_file(dir / "big.2bit", head.size() + bases / 4, head, "\x1b");
    {
        const auto g = epiann::genome::open((dir / "big.2bit").string());
        CHECK(g->length("chr") == bases);
        CHECK(g->sequence("chr", bases - 6, bases) == "TTTCAG");
    }

    // FASTA + .fai: 60 bases per line; the last line is real sequence, the rest NUL bytes (never fetched: htslib
    // skips them). A length of 3e9 also checks lengths past 2^31, which htslib's faidx_seq_len wraps.
    const std::string last_line = "ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n";
    sparse_file(dir / "big.fa", 8 + bases / 60 * 61, ">chrBig\n", last_line);
    std::ofstream(dir / "big.fa.fai") << "chrBig\t" << bases << "\t8\t60\t61\n";
    {
        const auto g = epiann::genome::open((dir / "big.fa").string());
        CHECK(g->length("chrBig") == bases);
        CHECK(g->sequence("chrBig", bases - 5, bases) == "TACGT");
    }
    const long after = peak_rss_mb();
    INFO("peak RSS " << before << " MB before, " << after << " MB after");
    CHECK(after - before < 64);
    std::filesystem::remove_all(dir);
}
