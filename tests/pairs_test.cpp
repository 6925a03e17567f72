// Pair files, windows and splits (examples/epiann/data/): formats, the window rule, chromosome ends, split
// determinism and separation, augmentation only on training positives, and every bad input named by file and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "common/errors.hpp"
#include "data/examples.hpp"
#include "data/pairs.hpp"
#include "data/splits.hpp"
#include "data/windows.hpp"
#include "support/files.hpp"

namespace {

const std::string dir = HELIX_TEST_DATA_DIR "/pairs/";

}  // namespace

TEST_CASE("TargetFinder CSV and BEDPE pair files") {
    const auto csv = epiann::read_pairs(dir + "good.csv");
    REQUIRE(csv.pairs.size() == 3);
    CHECK(csv.labelled());
    CHECK(csv.positives() == 1);
    CHECK(csv.pairs[0].enhancer == epiann::interval{"chr1", 1000, 1200});
    CHECK(csv.pairs[0].cell == "SIM");
    CHECK(csv.pairs[2].line == 4);
    const auto bedpe = epiann::read_pairs(dir + "good.bedpe");
    REQUIRE(bedpe.pairs.size() == 2);
    CHECK_FALSE(bedpe.labelled());
    CHECK(bedpe.pairs[1].promoter == epiann::interval{"chr2", 70000, 70100});
    CHECK(bedpe.pairs[1].label == -1);
    CHECK(csv.checksum != bedpe.checksum);
}

TEST_CASE("bad pair files name the file, the line and what was expected") {
    using Catch::Contains;
    auto fails = [](const std::string& file, const std::string& text) {
        INFO(file);
        CHECK_THROWS_AS(epiann::read_pairs(dir + file), epiann::input_error);
        CHECK_THROWS_WITH(epiann::read_pairs(dir + file), Contains(file) && Contains(text));
    };
    fails("bad_name.csv", "bad_name.csv:3: expected a region like CELL|chr1:1000-1200, found \"SIM|chr1:3000\"");
    fails("bad_label.csv", ":3: expected label 0 or 1, found \"yes\"");
    fails("short_line.csv", ":2: expected at least 3 comma-separated columns");
    fails("end_before_start.csv", ":2: end before start");
    fails("empty.csv", "empty pair file");
    fails("header_only.csv", "no pairs");
    fails("short_line.bedpe", ":1: expected a TargetFinder CSV header");
    fails("missing.csv", "cannot open");
}

TEST_CASE("windows centre the element as DESIGN section 6 says and stay inside the chromosome") {
    const auto sizes = epiann::read_chromosome_sizes(dir + "sizes.txt");
    // Short element: 200 bp in a 3000 bp window: start = s - ceil(2800 / 2).
    auto w = epiann::make_window({"chr1", 27719000, 27719200}, 2000, 0, [](const std::string&) { return 1e9; }, "x");
    CHECK(w.span == epiann::interval{"chr1", 27718100, 27720100});  // DESIGN's example
    CHECK((w.element_start == 900 && w.element_end == 1100));
    // Odd difference rounds up: 201 bp in 2000 -> start = s - 900.
    w = epiann::make_window({"chr1", 5000, 5201}, 2000, 0, sizes, "x");
    CHECK(w.span.start == 4100);
    // Long element: 3201 bp in 3000 -> start = s + ceil(201 / 2) = s + 101; the element is clamped to the window.
    w = epiann::make_window({"chr1", 10000, 13201}, 3000, 0, sizes, "x");
    CHECK(w.span.start == 10101);
    CHECK((w.element_start == 0 && w.element_end == 3000));
    // Offsets shift the window.
    CHECK(epiann::make_window({"chr1", 5000, 5201}, 2000, -450, sizes, "x").span.start == 3650);
    // Near the end: moved inside, same length.
    w = epiann::make_window({"chr1", 99000, 99900}, 3000, 0, sizes, "x");
    CHECK(w.moved_inside);
    CHECK(w.span == epiann::interval{"chr1", 97000, 100000});
    CHECK((w.element_start == 2000 && w.element_end == 2900));
    w = epiann::make_window({"chr1", 10, 210}, 3000, 0, sizes, "x");
    CHECK((w.moved_inside && w.span.start == 0));
    using Catch::Contains;
    CHECK_THROWS_WITH(epiann::make_window({"chrZ", 1000, 1200}, 3000, 0, sizes, "pairs.csv:7"),
                      Contains("pairs.csv:7: unknown chromosome \"chrZ\""));
    CHECK_THROWS_WITH(epiann::make_window({"chr1", 99000, 100200}, 3000, 0, sizes, "pairs.csv:2"),
                      Contains("ends past the end of chr1 (length 100000)"));
    CHECK_THROWS_WITH(epiann::make_window({"chr2", 10, 20}, 300000, 0, sizes, "p"), Contains("shorter than the 300000 bp window"));
}

TEST_CASE("the paper split is stratified, seeded and repeatable from its file") {
    const auto pairs = epiann::read_pairs(EPIANN_DATA_DIR "/targetfinder/IMR90.pairs.csv.gz");
    const auto a = epiann::paper_split(pairs, 7), b = epiann::paper_split(pairs, 7), c = epiann::paper_split(pairs, 8);
    CHECK(a.sets == b.sets);
    CHECK(a.sets != c.sets);
    std::size_t test_pos = 0, test_all = 0, validation = 0;
    for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
        test_all += a.sets[i] == epiann::pair_set::test;
        test_pos += a.sets[i] == epiann::pair_set::test && pairs.pairs[i].label == 1;
        validation += a.sets[i] == epiann::pair_set::validation;
    }
    CHECK(test_pos == 125);  // round(10 % of 1,254 positives)
    CHECK(test_all == 125 + 2500);
    CHECK(validation == std::size_t(0.1 * (1254 - 125) + 0.5) + std::size_t(0.1 * (25000 - 2500) + 0.5));

    const auto path = (std::filesystem::temp_directory_path() / "epiann_split_test.tsv").string();
    epiann::write_split(path, a, pairs);
    const auto back = epiann::read_split(path, pairs);
    CHECK(back.sets == a.sets);
    CHECK(back.kind == "paper");
    CHECK(back.seed == 7);
    const auto other = epiann::read_pairs(EPIANN_DATA_DIR "/targetfinder/NHEK.pairs.csv.gz");
    CHECK_THROWS_WITH(epiann::read_split(path, other), Catch::Contains("made for another pair file"));
}

TEST_CASE("chromosome folds never share a chromosome between train, validation and test") {
    const auto pairs = epiann::read_pairs(EPIANN_DATA_DIR "/targetfinder/IMR90.pairs.csv.gz");
    for (int fold = 0; fold < 5; ++fold) {
        const auto s = epiann::chromosome_split(pairs, fold);
        std::map<std::string, std::set<epiann::pair_set>> sides;
        for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
            sides[pairs.pairs[i].enhancer.chromosome].insert(s.sets[i]);
            sides[pairs.pairs[i].promoter.chromosome].insert(s.sets[i]);
        }
        std::size_t tested = 0;
        for (const auto& [chromosome, in] : sides) {
            INFO("fold " << fold << ", " << chromosome);
            CHECK(in.size() == 1);
            tested += in.count(epiann::pair_set::test);
        }
        CHECK(tested == epiann::chromosome_folds[std::size_t(fold)].size());
        CHECK(!s.indices(epiann::pair_set::validation).empty());
    }
    CHECK_THROWS_WITH(epiann::make_split(pairs, "chromosome", 5, 0), Catch::Contains("--fold must be 0-4"));
    CHECK_THROWS_WITH(epiann::make_split(pairs, "random", 0, 0), Catch::Contains("unknown split"));
}

TEST_CASE("augmentation touches training positives only, and copies stay on their pair's side") {
    const auto pairs = epiann::read_pairs(EPIANN_DATA_DIR "/targetfinder/IMR90.pairs.csv.gz");
    const auto s = epiann::chromosome_split(pairs, 0);
    const epiann::window_options options;
    for (auto side : {epiann::pair_set::train, epiann::pair_set::validation, epiann::pair_set::test}) {
        const auto items = epiann::split_items(pairs, s, side, options, true);
        std::map<std::size_t, std::size_t> copies;
        for (const auto& it : items) {
            CHECK(s.sets[it.pair] == side);  // never on the other side
            ++copies[it.pair];
        }
        for (const auto& [pair, n] : copies)
            CHECK(n == (side == epiann::pair_set::train && pairs.pairs[pair].label == 1 ? 20u : 1u));
    }
    // With augment_negatives every training pair is shifted; validation and test stay centred.
    auto shifted_all = options;
    shifted_all.augment_negatives = true;
    for (auto side : {epiann::pair_set::train, epiann::pair_set::test}) {
        std::map<std::size_t, std::size_t> copies;
        for (const auto& it : epiann::split_items(pairs, s, side, shifted_all, true)) ++copies[it.pair];
        for (const auto& [pair, n] : copies) CHECK(n == (side == epiann::pair_set::train ? 20u : 1u));
    }
}

TEST_CASE("bad BEDPE lines after the first name the file, the line and what was expected") {
    const helix_test::temp_dir tmp("epiann_bad_bedpe");
    const auto path = (tmp / "bad.bedpe").string();
    const std::string first = "chr1\t100\t200\tchr1\t5000\t5100\n";
    const std::pair<const char*, const char*> bad[] = {
        {"chr1\t1\t2\tchr1\t5\n", "bad.bedpe:2: expected at least 6 tab-separated BEDPE columns"},
        {"chr1\t1\tx\tchr1\t5\t6\n", "bad.bedpe:2: expected non-negative integer coordinates in columns 2-3"},
        {"chr1\t1\t2\tchr1\t-5\t6\n", "bad.bedpe:2: expected non-negative integer coordinates in columns 5-6"},
        {"chr1\t1\t2\tchr1\t7\t6\n", "bad.bedpe:2: end before start in the second interval"},
        {"chr1\t1\t2\tchr1\t6\t6\n", "bad.bedpe:2: empty second interval: end equals start"},
    };
    for (const auto& [line, what] : bad) {
        INFO(line);
        helix_test::write_bytes(path, first + line);
        CHECK_THROWS_AS(epiann::read_pairs(path), epiann::input_error);
        CHECK_THROWS_WITH(epiann::read_pairs(path), Catch::Contains(what));
    }
}

TEST_CASE("a repeated pair is kept once and counted; the same pair with two labels names both lines") {
    const helix_test::temp_dir tmp("epiann_duplicate_pairs");
    const auto path = (tmp / "pairs.csv").string();
    const std::string header = "enhancer_name,promoter_name,label\n";
    const std::string a = "SIM|chr1:100-300,SIM|chr1:5000-5200,1\n", b = "SIM|chr2:100-300,SIM|chr2:5000-5200,0\n";
    helix_test::write_bytes(path, header + a + b + a + a + b);
    const auto pairs = epiann::read_pairs(path);
    REQUIRE(pairs.pairs.size() == 2);
    CHECK(pairs.duplicates == 3);
    CHECK(pairs.first_duplicate_line == 4);
    CHECK(pairs.pairs[1].line == 3);
    CHECK_THAT(pairs.duplicates_note(), Catch::Contains("3 repeated pair lines (the first on line 4) left out"));
    // Every pair appears once, so no split can put one on both sides.
    const auto s = epiann::paper_split(pairs, 1);
    CHECK(s.sets.size() == 2);

    helix_test::write_bytes(path, header + a + b + "SIM|chr1:100-300,SIM|chr1:5000-5200,0\n");
    CHECK_THROWS_WITH(epiann::read_pairs(path), Catch::Contains("pairs.csv:4: the pair \"SIM|chr1:100-300\"") &&
                                                    Catch::Contains("label 0 here and label 1 on line 2"));
    // BEDPE lines are kept one for one (prediction scores each line).
    helix_test::write_bytes(tmp / "p.bedpe", "chr1\t1\t2\tchr1\t5\t6\nchr1\t1\t2\tchr1\t5\t6\n");
    CHECK(epiann::read_pairs((tmp / "p.bedpe").string()).pairs.size() == 2);
}

TEST_CASE("text inputs: a byte order mark is accepted, a NUL byte and an empty region are named, long text is cut") {
    const helix_test::temp_dir tmp("epiann_text_inputs");
    const auto path = (tmp / "pairs.csv").string();
    const std::string header = "enhancer_name,promoter_name,label\n", line = "SIM|chr1:100-300,SIM|chr1:5000-5200,1\n";
    helix_test::write_bytes(path, "\xEF\xBB\xBF" + header + line);
    const auto with_bom = epiann::read_pairs(path);
    CHECK(with_bom.pairs.size() == 1);
    helix_test::write_bytes(path, header + line);
    CHECK(epiann::read_pairs(path).checksum != with_bom.checksum);  // the checksum is of the bytes, BOM included

    helix_test::write_bytes(path, header + "SIM|chr1:100-300,SIM|chr1:50" + '\0' + "00-5200,1\n");
    CHECK_THROWS_WITH(epiann::read_pairs(path), Catch::Contains("pairs.csv:2: a NUL byte at column 29"));

    helix_test::write_bytes(path, header + "SIM|chr21:500-500,SIM|chr1:5000-5200,1\n");
    CHECK_THROWS_WITH(epiann::read_pairs(path), Catch::Contains("pairs.csv:2: empty region \"SIM|chr21:500-500\": end equals start"));

    const std::string huge(10'000'000, 'x');
    helix_test::write_bytes(path, header + "SIM|" + huge + ",SIM|chr1:5000-5200,1\n");
    try {
        epiann::read_pairs(path);
        FAIL("no input_error");
    } catch (const epiann::input_error& e) {
        CHECK(std::string(e.what()).size() < 400);
        CHECK_THAT(e.what(), Catch::Contains("(10000004 characters)"));
    }
}

TEST_CASE("the checksum of a pair file is FNV-1a 64 of its bytes, as splits and checkpoints recorded it before") {
    const std::string bytes = helix_test::read_bytes(dir + "good.csv");
    std::uint64_t h = 1469598103934665603ull;
    for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    CHECK(epiann::read_pairs(dir + "good.csv").checksum == h);
}

TEST_CASE("a chromosome listed twice in a chrom.sizes file names both lines") {
    const helix_test::temp_dir tmp("epiann_chrom_sizes");
    const auto path = (tmp / "sizes.txt").string();
    helix_test::write_bytes(path, "chr1\t1000\nchr2\t500\nchr1\t2000\n");
    CHECK_THROWS_AS(epiann::read_chromosome_sizes(path), epiann::input_error);
    CHECK_THROWS_WITH(epiann::read_chromosome_sizes(path),
                      Catch::Contains("sizes.txt:3: chromosome \"chr1\" is listed twice (first on line 1)"));
}

TEST_CASE("a BEDPE pair on two chromosomes keeps each element on its own chromosome") {
    const helix_test::temp_dir tmp("epiann_trans_bedpe");
    const auto path = (tmp / "trans.bedpe").string();
    helix_test::write_bytes(path, "chr2\t1000\t3000\tchr1\t200000\t202000\nchr3\t5\t9\tchr2\t100\t200\tname\n");
    const auto pairs = epiann::read_pairs(path);
    REQUIRE(pairs.pairs.size() == 2);
    CHECK(pairs.pairs[0].enhancer == epiann::interval{"chr2", 1000, 3000});
    CHECK(pairs.pairs[0].promoter == epiann::interval{"chr1", 200000, 202000});
    CHECK(pairs.pairs[1].enhancer == epiann::interval{"chr3", 5, 9});
    CHECK(pairs.pairs[1].enhancer_name == "chr3:5-9");
}
