#include "motifs/pfm.hpp"

#include <algorithm>
#include <cctype>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {

position_matrix motif::probabilities(double pseudocount) const {
    position_matrix m{id, name, {}};
    for (const auto& row : counts) {
        const double total = row[0] + row[1] + row[2] + row[3] + 4 * pseudocount;
        m.probabilities.push_back({(row[0] + pseudocount) / total, (row[1] + pseudocount) / total,
                                   (row[2] + pseudocount) / total, (row[3] + pseudocount) / total});
    }
    return m;
}

std::string motif::consensus() const {
    std::string s;
    for (const auto& row : counts) s += "ACGT"[std::max_element(row.begin(), row.end()) - row.begin()];
    return s;
}

std::vector<motif> read_jaspar(const std::string& path) {
    std::vector<motif> motifs;
    line_reader in(path);
    auto finish = [&] {
        if (!motifs.empty() && motifs.back().counts.empty())
            throw in.error("motif " + motifs.back().id + " has no rows (expected lines of 4 counts: A C G T)");
    };
    while (auto line = in.next()) {
        if (line->empty() || line->front() == '#') continue;
        if (line->front() == '>') {
            finish();
            const std::string header(line->substr(1));
            motif m;
            const auto underscore = header.find('_');
            m.id = header.substr(0, underscore);
            m.name = m.id;
            if (underscore != std::string::npos) {
                const std::string rest = header.substr(underscore + 1);
                m.name = rest.starts_with(m.id + ".") ? rest.substr(m.id.size() + 1) : rest;
            }
            if (m.id.empty()) throw in.error("expected a motif id after '>'");
            motifs.push_back(std::move(m));
            continue;
        }
        if (motifs.empty()) throw in.error("expected a '>' motif header before the counts");
        std::array<double, 4> row{};
        std::size_t n = 0;
        std::string_view rest = *line;
        while (!rest.empty()) {
            const auto begin = rest.find_first_not_of(" \t");
            if (begin == std::string_view::npos) break;
            rest.remove_prefix(begin);
            const auto end = std::min(rest.find_first_of(" \t"), rest.size());
            const auto value = parse_number(rest.substr(0, end));
            if (!value || *value < 0 || n == 4) throw in.error("expected 4 non-negative counts (A C G T)");
            row[n++] = *value;
            rest.remove_prefix(end);
        }
        if (n != 4) throw in.error("expected 4 counts (A C G T), found " + std::to_string(n));
        motifs.back().counts.push_back(row);
    }
    finish();
    if (motifs.empty()) throw input_error_at(path, 0, "no motifs: the file is empty");
    return motifs;
}

std::optional<std::size_t> find_motif(const std::vector<motif>& motifs, const std::string& key) {
    for (std::size_t i = 0; i < motifs.size(); ++i)
        if (motifs[i].id == key) return i;
    auto lower = [](std::string s) {
        for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    const std::string k = lower(key);
    for (std::size_t i = 0; i < motifs.size(); ++i)
        if (lower(motifs[i].name) == k) return i;
    return std::nullopt;
}

std::string reverse_complement(std::string_view s) {
    std::string out(s.rbegin(), s.rend());
    for (auto& c : out) {
        switch (c) {
            case 'A': c = 'T'; break;
            case 'C': c = 'G'; break;
            case 'G': c = 'C'; break;
            case 'T': c = 'A'; break;
            default: c = 'N';
        }
    }
    return out;
}

}  // namespace epiann
