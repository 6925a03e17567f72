#include "data/windows.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {

window make_window(const interval& element, long long length, long long offset, const chromosome_lengths& lengths,
                   const std::string& where) {
    const long long l = element.length();
    long long start = l < length ? element.start - (length - l + 1) / 2 : element.start + (l - length + 1) / 2;
    start += offset;
    const auto chromosome_length = lengths(element.chromosome);
    if (!chromosome_length)
        throw input_error(where + ": unknown chromosome " + shown(element.chromosome) + " (not in the genome or chromosome sizes)");
    if (element.end > *chromosome_length)
        throw input_error(where + ": " + element.text() + " ends past the end of " + element.chromosome + " (length " +
                          std::to_string(*chromosome_length) + ")");
    if (*chromosome_length < length)
        throw input_error(where + ": chromosome " + element.chromosome + " (length " + std::to_string(*chromosome_length) +
                          ") is shorter than the " + std::to_string(length) + " bp window");
    window w;
    const long long inside = std::clamp(start, 0LL, *chromosome_length - length);
    w.moved_inside = inside != start;
    w.span = {element.chromosome, inside, inside + length};
    w.element_start = std::clamp(element.start - inside, 0LL, length);
    w.element_end = std::clamp(element.end - inside, 0LL, length);
    return w;
}

pair_windows make_pair_windows(const pair_record& pair, const window_options& options, long long offset,
                               const chromosome_lengths& lengths, const std::string& path) {
    const std::string where = path + ":" + std::to_string(pair.line);
    return {make_window(pair.enhancer, options.enhancer_length, offset, lengths, where),
            make_window(pair.promoter, options.promoter_length, offset, lengths, where)};
}

chromosome_lengths read_chromosome_sizes(const std::string& path) {
    auto sizes = std::make_shared<std::unordered_map<std::string, long long>>();
    std::unordered_map<std::string, std::size_t> line_of;
    line_reader in(path);
    while (auto line = in.next()) {
        if (line->empty() || line->front() == '#') continue;
        const auto f = split_fields(*line, '\t');
        const auto n = f.size() >= 2 ? parse_integer(f[1]) : std::nullopt;
        if (!n) throw in.error("expected `chromosome<TAB>length`");
        const auto [it, fresh] = line_of.try_emplace(std::string(f[0]), in.line_number());
        if (!fresh)
            throw in.error("chromosome " + shown(f[0]) + " is listed twice (first on line " + std::to_string(it->second) +
                           "): which length is right?");
        (*sizes)[std::string(f[0])] = *n;
    }
    if (sizes->empty()) throw input_error_at(path, 0, "no chromosome sizes: the file is empty");
    return [sizes](const std::string& name) -> std::optional<long long> {
        const auto it = sizes->find(name);
        if (it == sizes->end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace epiann
