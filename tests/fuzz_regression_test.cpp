// Inputs that broke a parser (found by the fuzz targets in fuzz/ or in review), each kept as the exact bytes: the
// parser must now refuse them with an input_error naming the file and the problem. Under scripts/sanitize.sh the
// same cases also prove the fixes leak nothing and read nothing out of bounds.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iterator>
#include <string>

#include "common/errors.hpp"
#include "data/splits.hpp"
#include "genome/genome.hpp"
#include "pipeline/runs.hpp"
#include "train/trainer.hpp"
#include "support/files.hpp"

using Catch::Matchers::Contains;

namespace {

struct temp_dir : helix_test::temp_dir {
    temp_dir() : helix_test::temp_dir("epiann_fuzz_regression") {}
};

template <class F>
void require_input_error(F&& f, const std::string& file, const std::string& what) {
    try {
        f();
    } catch (const epiann::input_error& e) {
        CHECK_THAT(e.what(), Contains(file) && Contains(what));
        return;
    }
    FAIL("no input_error; expected one saying: " << what);
}

}  // namespace

// fuzz_fasta, leak-73bd1955: a FASTA whose .fai is empty. htslib loads an index without sequences; the reader threw
// "lists no sequences" from its constructor, so the destructor never freed the faidx handle (LeakSanitizer: 135 kB).
TEST_CASE("fuzz_fasta leak-73bd1955: FASTA with an empty .fai") {
    temp_dir dir;
    const auto fa = dir / "genome.fa";
    helix_test::write_bytes(fa, std::string(">\t\xff\xff\xff\xff\xff\xff\xff", 9));
    helix_test::write_bytes(dir / "genome.fa.fai", "");
    require_input_error([&] { (void)epiann::genome::open(fa.string()); }, fa.string(), "lists no sequences");
}

// Review of read_split: a checksum that is not a number went to std::stoull, whose std::invalid_argument escaped
// as an internal error (exit code 1) instead of naming the file and line.
TEST_CASE("split file with a checksum that is not a number") {
    temp_dir dir;
    const auto path = (dir / "split.tsv").string();
    epiann::pair_file pairs;
    pairs.pairs.resize(1);
    for (const char* checksum : {"abc", "", "-1", "18446744073709551616"}) {
        INFO(checksum);
        helix_test::write_bytes(path, std::string("# epiann split\tkind=paper\tchecksum=") + checksum +
                                          "\tcount=1\npair\tline\tset\n0\t2\ttrain\n");
        require_input_error([&] { (void)epiann::read_split(path, pairs); }, path + ":1",
                            "expected an unsigned 64-bit checksum");
    }
}

// fuzz_fasta, crash-20a8d349: a .fai with 0 bases per line. htslib divides by it when fetching: SIGFPE, the CLI
// killed without a message. The index is now checked line by line before htslib sees it.
TEST_CASE("fuzz_fasta crash-20a8d349: .fai with 0 bases per line") {
    temp_dir dir;
    const auto fa = dir / "genome.fa";
    helix_test::write_bytes(fa, ">a\nMt\nAC\n");
    helix_test::write_bytes(dir / "genome.fa.fai", "a\t85\t3\t0\t11\n");
    require_input_error([&] { (void)epiann::genome::open(fa.string()); }, fa.string() + ".fai:1",
                        "expected at least 1 base per line");
    // The other ways an index can disagree with its FASTA.
    const std::pair<const char*, const char*> bad[] = {
        {"a\t5\t3\t4\n", "expected 5 tab-separated columns"},
        {"a\t5\t3\tx\t5\n", "expected non-negative integers"},
        {"a\t2\t3\t2\t3\na\t2\t3\t2\t3\n", "listed twice"},
        {"a\t4\t3\t4\t3\n", "at least as many bytes per line as bases"},
        {"a\t85\t3\t2\t3\n", "runs past the end of the FASTA file"},
        {"a\t2\t9223372036854775807\t2\t3\n", "runs past the end of the FASTA file"},
    };
    for (const auto& [fai, what] : bad) {
        INFO(fai);
        helix_test::write_bytes(dir / "genome.fa.fai", fai);
        require_input_error([&] { (void)epiann::genome::open(fa.string()); }, fa.string() + ".fai:", what);
    }
    helix_test::write_bytes(dir / "genome.fa.fai", "a\t4\t3\t2\t3\n");  // what samtools faidx writes
    CHECK(epiann::genome::open(fa.string())->sequence("a", 0, 4) == "NTAC");
}

// fuzz_twobit, after ~20,000 inputs: the process ran out of file descriptors. The .2bit reader opened the file in its
// constructor and closed it in its destructor, which does not run when the constructor throws (a bad signature, a
// truncated index): every rejected file leaked a descriptor.
TEST_CASE("fuzz_twobit: a rejected .2bit file leaves no open descriptor") {
    temp_dir dir;
    auto open_descriptors = [] {
        return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator());
    };
    const auto before = open_descriptors();
    const std::string bad[] = {
        std::string("\x43\x27\x41\x1a\x05\x00\x00\x00", 8) + std::string(8, '\0'),           // version 5
        std::string("\x43\x27\x41\x1a\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00", 16),  // index cut off
        std::string("\x43\x27\x41\x1a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16),  // no sequences
    };
    for (const auto& bytes : bad) {
        const auto path = (dir / "bad.2bit").string();
        helix_test::write_bytes(path, bytes);
        for (int i = 0; i < 50; ++i) CHECK_THROWS_AS(epiann::genome::open(path), epiann::input_error);
    }
    CHECK(open_descriptors() == before);
}

// fuzz_checkpoint_metadata, crash-8922e300: a training state whose rng_position (an integer with 50 digits) does not
// fit 64 bits. nlohmann parses it as a double and get<std::uint64_t>() cast 1.23e49 without a check (undefined
// behaviour, reported by UBSan). Numbers from JSON now go through number_at() (common/json_numbers.hpp).
TEST_CASE("fuzz_checkpoint_metadata crash-8922e300: a resume position that does not fit 64 bits") {
    const std::string state =
        R"({"metadata": {"model": "fuzz"}, "epochs_done": 1, "stale_epochs": 0, "best_epoch": 1, "best_validation_auroc": 0.75, "rng_position": 12300000000000000000000000000000000000000000000004, "optimizer_steps": 4, "history": [{"epoch": 1, "steps": 4, "examples": 256, "train_loss": 0.69, "validation_loss": 0.7, "validation_auroc": 0.75, "valitdaion_aupr": 0.5, "0econd+s": 1.5, "best": true}]})";
    require_input_error([&] { (void)epiann::parse_resume_point(nlohmann::json::parse(state), "state.safetensors"); },
                        "state.safetensors", "\"rng_position\": expected an integer, found 1.23e+49");
}

// The same for every number of a run's run.json (read on --resume): out of range, negative where a count is
// expected, a fraction where an integer is expected.
TEST_CASE("run.json with numbers its fields cannot hold") {
    temp_dir dir;
    const auto path = (dir / "run.json").string();
    const std::pair<const char*, nlohmann::json> cases[] = {
        {"epochs", -1}, {"epochs", 1e49}, {"epochs", 2.5}, {"threads", 3000000000ull}, {"learning_rate", 1e49},
        {"dropout", "0.2"}, {"seed", -7}};
    for (const auto& [field, value] : cases) {
        INFO(field << " = " << value.dump());
        auto run = epiann::train_request{}.to_json();
        run[field] = value;
        helix_test::write_bytes(path, run.dump());
        require_input_error([&] { (void)epiann::read_run_request(dir.path); }, path, std::string("\"") + field + "\": expected");
    }
    helix_test::write_bytes(path, epiann::train_request{}.to_json().dump());
    CHECK(epiann::read_run_request(dir.path).epochs == epiann::train_request{}.epochs);
}
