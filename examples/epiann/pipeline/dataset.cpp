#include "pipeline/dataset.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <helix/core/rng.hpp>

#include "train/distributed.hpp"

namespace epiann {

dataset load_dataset(const std::string& genome_path, const std::string& pairs_path, const std::optional<split_request>& split,
                     long long enhancer_window, long long promoter_window) {
    dataset d;
    d.g = genome::open(genome_path);
    d.pairs = read_pairs(pairs_path);
    if (d.pairs.duplicates > 0 && world().root()) std::fprintf(stderr, "%s\n", d.pairs.duplicates_note().c_str());
    d.windows.enhancer_length = enhancer_window;
    d.windows.promoter_length = promoter_window;
    // Every pair's windows must fit its genome before any work starts (not only the pairs a run happens to read).
    const chromosome_lengths lengths = [&d](const std::string& name) { return d.g->length(name); };
    for (const auto& p : d.pairs.pairs) make_pair_windows(p, d.windows, 0, lengths, d.pairs.path);
    if (split) d.s = split->file.empty() ? make_split(d.pairs, split->kind, split->fold, split->seed) : read_split(split->file, d.pairs);
    return d;
}

namespace {
// At most `limit` of the items (0: all), a seeded subset in pair order: each class keeps its share (stratified), or
// the labelled classes get equal counts, a class with too few members giving its remainder to the other (balanced).
std::vector<example_item> subset(std::vector<example_item> items, const pair_file& pairs, std::size_t limit, std::uint64_t seed,
                                 subset_kind kind) {
    if (limit == 0 || items.size() <= limit) return items;
    std::map<int, std::vector<example_item>> classes;  // -1: unlabelled pairs (BEDPE)
    for (const auto& it : items) classes[pairs.pairs[it.pair].label].push_back(it);
    std::map<int, std::size_t> quota;
    if (kind == subset_kind::stratified || classes.size() == 1) {
        const double fraction = double(limit) / double(items.size());
        for (const auto& [label, members] : classes) quota[label] = std::size_t(double(members.size()) * fraction + 0.5);
    } else {  // smallest class first, so that its unused share goes to the larger ones
        std::vector<std::pair<std::size_t, int>> by_size;
        for (const auto& [label, members] : classes) by_size.emplace_back(members.size(), label);
        std::sort(by_size.begin(), by_size.end());
        std::size_t left = limit;
        for (std::size_t k = 0; k < by_size.size(); ++k) {
            const std::size_t share = std::min(by_size[k].first, left / (by_size.size() - k));
            quota[by_size[k].second] = share;
            left -= share;
        }
    }
    std::vector<example_item> kept;
    for (auto& [label, members] : classes) {
        helix::counter_rng rng(seed, 100 + (label >= 0 ? std::uint64_t(label) : 2));  // streams 100, 101 as before
        for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng.next_below(i)]);
        members.resize(quota[label]);
        kept.insert(kept.end(), members.begin(), members.end());
    }
    std::sort(kept.begin(), kept.end(), [](const example_item& a, const example_item& b) { return a.pair < b.pair; });
    return kept;
}
}  // namespace

std::unique_ptr<window_examples> dataset::examples(pair_set side, bool augment, std::size_t limit, std::uint64_t seed,
                                                   subset_kind kind) const {
    auto items = subset(split_items(pairs, *s, side, windows, augment), pairs, limit, seed, kind);
    return std::make_unique<window_examples>(*g, pairs, windows, std::move(items));
}

std::unique_ptr<window_examples> dataset::all_pairs(std::size_t limit, std::uint64_t seed, subset_kind kind) const {
    std::vector<example_item> items;
    for (std::size_t i = 0; i < pairs.pairs.size(); ++i) items.push_back({i, 0});
    return std::make_unique<window_examples>(*g, pairs, windows, subset(std::move(items), pairs, limit, seed, kind));
}

nlohmann::json dataset::describe() const {
    long long length = 0;
    for (const auto& c : g->chromosomes()) length += g->length(c).value_or(0);
    return {{"genome", {{"path", g->path()}, {"chromosomes", g->chromosomes().size()}, {"length", length}}},
            {"pairs", {{"path", pairs.path}, {"checksum", std::to_string(pairs.checksum)}, {"count", pairs.pairs.size()}}}};
}

}  // namespace epiann
