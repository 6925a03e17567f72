#include "simulate/grammar.hpp"

#include <algorithm>
#include <sstream>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {
namespace {

std::size_t lookup(const std::vector<motif>& motifs, const std::string& key, const std::string& where) {
    const auto i = find_motif(motifs, key);
    if (!i) throw input_error(where + ": unknown motif \"" + key + "\" (give a JASPAR id such as MA0139.1 or a TF name such as CTCF)");
    return *i;
}

void add_unique(std::vector<std::size_t>& v, std::size_t x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

std::vector<std::size_t> grammar::enhancer_pool() const {
    std::vector<std::size_t> v;
    for (const auto& [a, b] : cooperating) add_unique(v, a);
    for (auto d : enhancer_decoys) add_unique(v, d);
    return v;
}

std::vector<std::size_t> grammar::promoter_pool() const {
    std::vector<std::size_t> v;
    for (const auto& [a, b] : cooperating) add_unique(v, b);
    for (auto d : promoter_decoys) add_unique(v, d);
    return v;
}

bool grammar::interacts(const std::vector<std::size_t>& e, const std::vector<std::size_t>& p) const {
    for (const auto& [a, b] : cooperating)
        if (std::find(e.begin(), e.end(), a) != e.end() && std::find(p.begin(), p.end(), b) != p.end()) return true;
    return false;
}

grammar default_grammar(const std::vector<motif>& motifs) {
    const std::string where = "default grammar";
    grammar g;
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"EGR1", "CTCF"}, {"USF1", "EGR1"}, {"Nrf1", "Yy1"}, {"GATA1", "ZNF143"}, {"FOXA1", "NFYA"}})
        g.cooperating.emplace_back(lookup(motifs, a, where), lookup(motifs, b, where));
    for (const auto* name : {"TP53", "HNF4A", "SOX2"}) g.enhancer_decoys.push_back(lookup(motifs, name, where));
    for (const auto* name : {"CREB1", "REST", "TEAD1"}) g.promoter_decoys.push_back(lookup(motifs, name, where));
    return g;
}

grammar read_grammar(const std::string& path, const std::vector<motif>& motifs) {
    grammar g;
    line_reader in(path);
    while (auto line = in.next()) {
        const std::string text(line->substr(0, line->find('#')));  // comments may follow the fields
        std::vector<std::string> f;
        std::istringstream words{text};
        for (std::string w; words >> w;) f.push_back(w);
        const std::string where = path + ":" + std::to_string(in.line_number());
        if (f.empty()) continue;
        if (f.size() == 3 && f[0] == "cooperates") {
            g.cooperating.emplace_back(lookup(motifs, f[1], where), lookup(motifs, f[2], where));
        } else if (f.size() == 3 && f[0] == "decoy" && (f[1] == "enhancer" || f[1] == "promoter")) {
            (f[1] == "enhancer" ? g.enhancer_decoys : g.promoter_decoys).push_back(lookup(motifs, f[2], where));
        } else {
            throw in.error("expected `cooperates ENHANCER_TF PROMOTER_TF` or `decoy enhancer|promoter TF`");
        }
    }
    if (g.cooperating.empty()) throw input_error_at(path, 0, "the grammar has no `cooperates` line");
    return g;
}

std::string grammar_text(const grammar& g, const std::vector<motif>& motifs) {
    std::string s = "# cooperates ENHANCER_MOTIF PROMOTER_MOTIF, or decoy enhancer|promoter MOTIF (TF names after '#')\n";
    for (const auto& [a, b] : g.cooperating)
        s += "cooperates\t" + motifs[a].id + "\t" + motifs[b].id + "\t# " + motifs[a].name + " - " + motifs[b].name + "\n";
    for (auto d : g.enhancer_decoys) s += "decoy\tenhancer\t" + motifs[d].id + "\t# " + motifs[d].name + "\n";
    for (auto d : g.promoter_decoys) s += "decoy\tpromoter\t" + motifs[d].id + "\t# " + motifs[d].name + "\n";
    return s;
}

}  // namespace epiann
