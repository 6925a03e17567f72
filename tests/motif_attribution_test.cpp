// Site attribution (examples/epiann/motifs/attribution.hpp) with the shipped JASPAR 2022 library: a distinctive
// consensus (CTCF) reads as itself; SP1's GGGGCGGGG, which KLF7 and KLF15 share, reads as its look-alikes, and
// the simulator says so for a grammar that plants it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "motifs/attribution.hpp"
#include "motifs/pfm.hpp"
#include "simulate/simulation.hpp"
#include "support/simulation.hpp"

namespace {

struct library {
    std::vector<epiann::motif> motifs = epiann::read_jaspar(EPIANN_DATA_DIR "/motifs/JASPAR2022_vertebrates.pfm");
    epiann::motif_scanner scanner{[this] {
        std::vector<epiann::position_matrix> m;
        for (const auto& x : motifs) m.push_back(x.probabilities());
        return m;
    }()};
    std::size_t index(const std::string& name) const { return *epiann::find_motif(motifs, name); }
};

const library& jaspar() {
    static const library l;
    return l;
}

}  // namespace

TEST_CASE("a distinctive consensus reads as its own matrix") {
    const auto& l = jaspar();
    for (const auto* name : {"CTCF", "GATA1", "ZNF143", "REST"}) {
        const auto m = l.index(name);
        const auto a = epiann::attribute_sites(l.scanner, m, std::vector<std::string>(12, l.motifs[m].consensus()), 3);
        INFO(epiann::describe(a, l.scanner));
        CHECK(a.sites == 12);
        CHECK(a.own >= 11);
        CHECK(a.own + a.unmatched + [&] { std::size_t n = 0; for (auto& o : a.others) n += o.second; return n; }() == a.sites);
    }
}

TEST_CASE("SP1's consensus reads as the KLF look-alikes that share it") {
    const auto& l = jaspar();
    const auto sp1 = l.index("SP1");
    REQUIRE(l.motifs[sp1].consensus() == "GGGGCGGGG");
    const auto a = epiann::attribute_sites(l.scanner, sp1, std::vector<std::string>(16, "GGGGCGGGG"), 3);
    INFO(epiann::describe(a, l.scanner));
    CHECK(a.own_fraction() < 0.25);
    REQUIRE_FALSE(a.others.empty());
    const auto& top = l.motifs[a.others.front().first].name;
    CHECK((top.rfind("KLF", 0) == 0 || top == "PATZ1" || top.rfind("SP", 0) == 0));
    CHECK(epiann::describe(a, l.scanner).find("SP1 (MA0079.5): ") == 0);
}

TEST_CASE("the simulator names planted motifs that read as look-alikes, and the default grammar has none") {
    namespace fs = std::filesystem;
    auto o = helix_test::small_simulation("epiann_attribution_test", 400, 100, 100, 5);
    const auto plain = epiann::simulate(o);
    CHECK(plain.unidentifiable.empty());
    CHECK(epiann::identifiability_warning(plain).empty());
    CHECK(plain.identifiability.size() == 15);  // 8 enhancer motifs and 8 promoter motifs, EGR1 on both sides

    const fs::path grammar = fs::path(o.out).parent_path() / "epiann_attribution_grammar.tsv";
    std::ofstream(grammar) << "cooperates GATA1 SP1\ncooperates EGR1 CTCF\ndecoy enhancer TP53\ndecoy promoter REST\n";
    o.grammar_path = grammar.string();
    o.max_motifs = 2;
    const auto with_sp1 = epiann::simulate(o);
    REQUIRE(with_sp1.unidentifiable.size() == 1);
    CHECK(with_sp1.unidentifiable.front() == "SP1 (MA0079.5)");
    CHECK(epiann::identifiability_warning(with_sp1).find("SP1 (MA0079.5)") != std::string::npos);
    std::ifstream in(fs::path(o.out) / "README");
    std::stringstream readme;
    readme << in.rdbuf();
    CHECK(readme.str().find("SP1 (MA0079.5): ") != std::string::npos);
    CHECK(readme.str().find("CTCF (MA0139.1): 16 of 16 sites read as itself") != std::string::npos);
}
