// Genome readers (examples/epiann/genome/genome.hpp): FASTA + .fai, bgzipped FASTA, .2bit (version 0 little-endian
// and version 1 big-endian) return the same normalised sequence as a plain parse (tests/data/genome/expected.txt,
// made by make_genome_fixtures.py) for many random intervals, from several threads; bad files are input errors;
// a genome of human size is read through its index, never into memory; a stale .fai or .gzi (the FASTA edited after
// indexing) is refused at open.
#include <catch2/catch.hpp>

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"
#include "genome/genome.hpp"
#include "support/files.hpp"

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

    // FASTA + .fai: 60 bases per line; the first line (open() checks its line end against the .fai), the line ends
    // open() samples and the last line are real, the rest NUL bytes (never fetched: htslib skips them). A length of 3e9 also checks lengths past
    // 2^31, which htslib's faidx_seq_len wraps.
    const std::string last_line = "ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT\n";
    sparse_file(dir / "big.fa", 8 + bases / 60 * 61, ">chrBig\n" + last_line, last_line);
    {
        // The line ends open() samples in a file over 256 MB: 8,192 lines spread evenly, j = k (lines - 1) / 8191.
        std::fstream out(dir / "big.fa", std::ios::binary | std::ios::in | std::ios::out);
        const std::uint64_t lines = (bases - 1) / 60;
        for (std::uint64_t k = 0; k < 8192; ++k) {
            out.seekp(std::streamoff(8 + k * (lines - 1) / 8191 * 61 + 60));
            out.put('\n');
        }
    }
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

// Stale indexes: a FASTA edited after `samtools faidx` (re-wrapped, shortened, converted to CRLF) or an index edited
// by hand must be refused at open, naming the index, the sequence and the command that rebuilds it; htslib would read
// the wrong bytes without a word. The fixtures are made here: the files, their true index (htslib's fai_build3, what
// `samtools faidx` runs) and their bgzip copies (htslib's BGZF writer, a block every few hundred bytes).
namespace {

namespace fs = std::filesystem;
using Catch::Contains;
using sequences = std::vector<std::pair<std::string, std::string>>;

// Several lines with a partial last one (chr1, chr3: more than 100 kb), one line and one base (chr2), shorter than a
// line (chrShort); soft-masking and Ns, as in real assemblies.
sequences test_sequences() {
    helix::counter_rng rng(2024);
    std::uint64_t draw = 0;
    auto random = [&](std::size_t n) {
        std::string s(n, 'A');
        for (auto& c : s) c = "ACGT"[rng.bits(draw++) % 4];
        return s;
    };
    sequences s{{"chr1", random(1003)}, {"chr2", random(61)}, {"chrShort", random(17)},
                {"chr3", random(130'003)}, {"chrM", random(250)}};
    s[0].second.replace(10, 10, "acgtacgtac");
    s[0].second.replace(300, 40, std::string(40, 'N'));
    return s;
}

// A FASTA file's text: each header with a description, `width` bases per line, lines ended by `eol`.
std::string fasta_text(const sequences& seqs, std::size_t width, const std::string& eol = "\n") {
    std::string text;
    for (const auto& [name, seq] : seqs) {
        text += ">" + name + " test sequence" + eol;
        for (std::size_t i = 0; i < seq.size(); i += width) text += seq.substr(i, width) + eol;
    }
    return text;
}

// The sequences with `name` shortened by `bases` at its end.
sequences shortened(sequences seqs, const std::string& name, std::size_t bases) {
    for (auto& [n, seq] : seqs)
        if (n == name) seq.resize(seq.size() - bases);
    return seqs;
}

// What genome::sequence returns for a sequence: upper case, N for anything else.
std::string normalised(std::string s) {
    for (auto& c : s) c = c == 'a' ? 'A' : c == 'c' ? 'C' : c == 'g' ? 'G' : c == 't' ? 'T' : c;
    return s;
}

// `text` bgzip-compressed into `gz`, a block every `block` bytes, with the .gzi that the BGZF writer records.
void write_bgzf(const fs::path& gz, const std::string& text, std::size_t block) {
    BGZF* fp = bgzf_open(gz.c_str(), "w");
    REQUIRE(fp != nullptr);
    REQUIRE(bgzf_index_build_init(fp) == 0);
    for (std::size_t at = 0; at < text.size(); at += block) {
        const std::size_t n = std::min(block, text.size() - at);
        REQUIRE(bgzf_write(fp, text.data() + at, n) == ssize_t(n));
        REQUIRE(bgzf_flush(fp) == 0);  // ends the block here
    }
    REQUIRE(bgzf_index_dump(fp, gz.c_str(), ".gzi") == 0);
    REQUIRE(bgzf_close(fp) == 0);
}

// The number of entries a .gzi lists (its first 8 bytes, little-endian).
std::uint64_t gzi_entries(const fs::path& gzi) {
    const std::string bytes = helix_test::read_bytes(gzi);
    REQUIRE(bytes.size() >= 8);
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n << 8 | std::uint8_t(bytes[std::size_t(i)]);
    return n;
}

// A FASTA (plain, or bgzip when the name ends in .gz) and the index `samtools faidx` makes for it.
void write_indexed(const fs::path& fa, const std::string& text) {
    if (fa.extension() == ".gz") write_bgzf(fa, text, 700);
    else helix_test::write_bytes(fa, text);
    REQUIRE(fai_build3(fa.c_str(), nullptr, nullptr) == 0);
}

// The index of `indexed` beside `actual`: a FASTA replaced after indexing. A bgzip file gets its own fresh .gzi (as
// `bgzip -i` writes), so that only the .fai is stale.
void stale_fai(const fs::path& fa, const std::string& indexed, const std::string& actual) {
    write_indexed(fa, indexed);
    if (fa.extension() == ".gz") write_bgzf(fa, actual, 500);
    else helix_test::write_bytes(fa, actual);
}

// The .fai with `delta` added to the offset (column 3) of sequence `only`, or of every sequence when `only` is empty.
void shift_offsets(const fs::path& fai, long long delta, const std::string& only = "") {
    std::istringstream in(helix_test::read_bytes(fai));
    std::string out;
    for (std::string name, length, offset, bases, width; in >> name >> length >> offset >> bases >> width;) {
        if (only.empty() || name == only) offset = std::to_string(std::stoll(offset) + delta);
        out += name + "\t" + length + "\t" + offset + "\t" + bases + "\t" + width + "\n";
    }
    helix_test::write_bytes(fai, out);
}

// What genome::open writes to std::cerr (its warnings), kept out of the test's output.
struct captured_cerr {
    std::ostringstream text;
    std::streambuf* old = std::cerr.rdbuf(text.rdbuf());
    captured_cerr() = default;
    captured_cerr(const captured_cerr&) = delete;
    captured_cerr& operator=(const captured_cerr&) = delete;
    ~captured_cerr() { std::cerr.rdbuf(old); }
};

}  // namespace

TEST_CASE("a true .fai (and .gzi) opens and every sequence reads back exactly") {
    helix_test::temp_dir dir("epiann_genome_index");
    const auto seqs = test_sequences();
    // LF, CRLF (samtools indexes it with 62 bytes per line) and blank lines at the very end of the file.
    const std::string texts[] = {fasta_text(seqs, 60), fasta_text(seqs, 60, "\r\n"), fasta_text(seqs, 60) + "\n\n"};
    for (const std::string file : {"genome.fa", "genome.fa.gz"})
        for (const auto& text : texts) {
            INFO(file << ", text of " << text.size() << " bytes");
            const auto fa = dir / file;
            write_indexed(fa, text);
            if (fa.extension() == ".gz") CHECK(gzi_entries(fa.string() + ".gzi") > 100);  // many blocks
            const auto g = epiann::genome::open(fa.string());
            REQUIRE(g->chromosomes() == std::vector<std::string>{"chr1", "chr2", "chrShort", "chr3", "chrM"});
            for (const auto& [name, seq] : seqs) {
                REQUIRE(g->length(name) == (long long)seq.size());
                CHECK(g->sequence(name, 0, (long long)seq.size()) == normalised(seq));
            }
        }
    // A small bgzip file is one block, and its .gzi lists none (the first block is implied).
    const sequences small{{"tiny", "ACGTACGTAC"}, {"two", "GGGG"}};
    write_bgzf(dir / "small.fa.gz", fasta_text(small, 4), 1 << 16);
    REQUIRE(fai_build3((dir / "small.fa.gz").c_str(), nullptr, nullptr) == 0);
    CHECK(gzi_entries(dir / "small.fa.gz.gzi") == 0);
    const auto g = epiann::genome::open((dir / "small.fa.gz").string());
    CHECK(g->sequence("tiny", 0, 10) == "ACGTACGTAC");
    CHECK(g->sequence("two", 1, 4) == "GGG");
}

TEST_CASE("a stale .fai is refused at open, naming the index, the sequence and `samtools faidx`") {
    helix_test::temp_dir dir("epiann_genome_stale_fai");
    const auto seqs = test_sequences();
    const std::string lf = fasta_text(seqs, 60);
    captured_cerr quiet;  // every FASTA here is newer than its index: a warning each time
    // A generator, not a loop: Catch enters each SECTION once per run of the test case.
    const std::string file = GENERATE(as<std::string>{}, "genome.fa", "genome.fa.gz");
    const auto fa = dir / file;
    const std::string fai = fa.string() + ".fai";
    auto refused = [&](const std::string& sequence) {
        INFO(file);
        REQUIRE_THROWS_AS(epiann::genome::open(fa.string()), epiann::input_error);
        REQUIRE_THROWS_WITH(epiann::genome::open(fa.string()),
                            Contains(fai + ":") && Contains("\"" + sequence + "\"") && Contains("samtools faidx " + fa.string()));
    };
    SECTION("re-wrapped at 50 bases per line, indexed at 60") {
        stale_fai(fa, lf, fasta_text(seqs, 50));
        refused("chr1");
    }
    SECTION("a sequence shortened, the old length kept") {
        const std::pair<const char*, std::size_t> cuts[] = {
            {"chr1", 3}, {"chr1", 60}, {"chr1", 100}, {"chr2", 1}, {"chrShort", 2},
            {"chr3", 7}, {"chr3", 100'000}, {"chrM", 5}, {"chrM", 60}};
        for (const auto& [name, bases] : cuts) {
            INFO(name << " shortened by " << bases);
            stale_fai(fa, lf, fasta_text(shortened(seqs, name, bases), 60));
            refused(name);
        }
    }
    SECTION("offsets shifted by a line or a byte") {
        const std::tuple<long long, const char*, const char*> shifts[] = {
            {61, "", "chr1"}, {-61, "chr2", "chr2"}, {1, "", "chr1"}, {-1, "", "chr1"}, {-1, "chrShort", "chrShort"},
            {2, "chrM", "chrM"}, {61 * 3, "chr3", "chr3"}};
        for (const auto& [delta, only, name] : shifts) {
            INFO("offsets of " << (*only ? only : "every sequence") << " shifted by " << delta);
            write_indexed(fa, lf);
            shift_offsets(fai, delta, only);
            refused(name);
        }
    }
    SECTION("CRLF line ends with the index of the LF file") {
        stale_fai(fa, lf, fasta_text(seqs, 60, "\r\n"));
        refused("chr1");
    }
    SECTION("LF line ends with the index of the CRLF file") {
        stale_fai(fa, fasta_text(seqs, 60, "\r\n"), lf);
        refused("chr1");
    }
}

TEST_CASE("a stale .gzi is refused at open, naming the .gzi and `samtools faidx`") {
    helix_test::temp_dir dir("epiann_genome_stale_gzi");
    const auto seqs = test_sequences();
    const std::string text = fasta_text(seqs, 60);
    const auto gz = dir / "genome.fa.gz";
    const std::string gzi = gz.string() + ".gzi";
    auto refused = [&] {
        REQUIRE_THROWS_AS(epiann::genome::open(gz.string()), epiann::input_error);
        REQUIRE_THROWS_WITH(epiann::genome::open(gz.string()), Contains(gzi + ":") && Contains("samtools faidx " + gz.string()));
    };
    write_indexed(gz, text);
    REQUIRE_NOTHROW(epiann::genome::open(gz.string()));
    const std::string good = helix_test::read_bytes(gzi);
    SECTION("the .gzi of another compressed file") {
        write_bgzf(dir / "other.fa.gz", fasta_text(shortened(seqs, "chr1", 500), 70), 900);
        fs::copy_file(dir / "other.fa.gz.gzi", gzi, fs::copy_options::overwrite_existing);
        refused();
    }
    SECTION("the .gzi of the same text compressed in other blocks") {
        write_bgzf(dir / "other.fa.gz", text, 800);
        fs::copy_file(dir / "other.fa.gz.gzi", gzi, fs::copy_options::overwrite_existing);
        refused();
    }
    SECTION("the .gzi of a one-block file (no entries) beside a file of many blocks") {
        helix_test::write_bytes(gzi, std::string(8, '\0'));
        refused();
    }
    SECTION("a .gzi without its last entries") {
        std::string cut = good.substr(0, good.size() - 16 * 3);
        const std::uint64_t n = gzi_entries(gzi) - 3;
        for (int i = 0; i < 8; ++i) cut[std::size_t(i)] = char(n >> (8 * i) & 0xff);
        helix_test::write_bytes(gzi, cut);
        refused();
    }
    SECTION("a .gzi whose size does not match its count") {
        helix_test::write_bytes(gzi, good.substr(0, good.size() - 5));
        refused();
    }
    SECTION("an entry moved by one byte") {
        std::string moved = good;
        moved[8 + 16 * 4] = char(moved[8 + 16 * 4] + 1);  // the compressed offset of the fifth entry
        helix_test::write_bytes(gzi, moved);
        refused();
    }
}

TEST_CASE("a FASTA newer than its index opens with a warning when the index still fits") {
    helix_test::temp_dir dir("epiann_genome_newer");
    const auto fa = dir / "genome.fa";
    write_indexed(fa, fasta_text(test_sequences(), 60));
    fs::last_write_time(fa.string() + ".fai", fs::last_write_time(fa) - std::chrono::hours(1));
    captured_cerr err;
    const auto g = epiann::genome::open(fa.string());
    CHECK(g->length("chrM") == 250);
    CHECK(err.text.str() == "warning: " + fa.string() + " is newer than its index " + fa.string() +
                                ".fai; if it changed, rebuild the index with `samtools faidx`\n");
}
