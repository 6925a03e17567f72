#include "data/examples.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>

#include <helix/core/rng.hpp>

#include "common/errors.hpp"

namespace epiann {

coordinate_scaler coordinate_scaler::from_json(const nlohmann::json& j) {
    coordinate_scaler s;
    s.mean = j.at("mean").get<std::array<double, 4>>();
    s.sd = j.at("sd").get<std::array<double, 4>>();
    return s;
}

chromosome_lengths lengths_of(const genome& g) {
    return [&g](const std::string& name) { return g.length(name); };
}

window_examples::window_examples(const genome& g, const pair_file& pairs, const window_options& options,
                                 std::vector<example_item> items)
    : genome_(&g), pairs_(&pairs), options_(options), items_(std::move(items)), lengths_(lengths_of(g)) {
    // Check every pair once up front, so that bad input stops here with its line, not in the middle of training.
    std::vector<bool> checked(pairs.pairs.size(), false);
    for (const auto& it : items_)
        if (!checked.at(it.pair)) {
            make_pair_windows(pairs.pairs[it.pair], options, 0, lengths_, pairs.path);
            checked[it.pair] = true;
        }
}

pair_windows window_examples::windows(std::size_t example) const {
    const auto& it = items_[example];
    return make_pair_windows(pairs_->pairs[it.pair], options_, it.offset, lengths_, pairs_->path);
}

coordinate_scaler window_examples::fit_scaler() const {
    coordinate_scaler s;
    if (items_.empty()) return s;
    std::array<double, 4> sum{}, sq{};
    for (std::size_t i = 0; i < items_.size(); ++i) {
        const auto w = windows(i);
        const double v[4] = {double(w.enhancer.element_start), double(w.enhancer.element_end), double(w.promoter.element_start),
                             double(w.promoter.element_end)};
        for (int k = 0; k < 4; ++k) sum[std::size_t(k)] += v[k], sq[std::size_t(k)] += v[k] * v[k];
    }
    const double n = double(items_.size());
    for (std::size_t k = 0; k < 4; ++k) {
        s.mean[k] = sum[k] / n;
        const double var = sq[k] / n - s.mean[k] * s.mean[k];
        s.sd[k] = var > 1e-6 ? std::sqrt(var) : 1.0;  // constant positions: leave them unscaled
    }
    return s;
}

void window_examples::fill(std::span<const std::size_t> items, const batch_buffers& out) const {
    const auto le = std::size_t(options_.enhancer_length), lp = std::size_t(options_.promoter_length);
    std::exception_ptr failure;
    std::mutex failure_mutex;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t k = 0; k < items.size(); ++k) {
        try {
            const auto w = windows(items[k]);
            one_hot(genome_->sequence(w.enhancer.span.chromosome, w.enhancer.span.start, w.enhancer.span.end), out.enhancer + k * le * 4);
            one_hot(genome_->sequence(w.promoter.span.chromosome, w.promoter.span.start, w.promoter.span.end), out.promoter + k * lp * 4);
            out.label[k] = float(std::max(0, label(items[k])));
            const double v[4] = {double(w.enhancer.element_start), double(w.enhancer.element_end),
                                 double(w.promoter.element_start), double(w.promoter.element_end)};
            for (std::size_t c = 0; c < 2; ++c) {
                out.enhancer_coords[2 * k + c] = float((v[c] - scaler_.mean[c]) / scaler_.sd[c]);
                out.promoter_coords[2 * k + c] = float((v[2 + c] - scaler_.mean[2 + c]) / scaler_.sd[2 + c]);
            }
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

std::vector<example_item> split_items(const pair_file& pairs, const split& s, pair_set side, const window_options& options,
                                      bool augment) {
    std::vector<example_item> items;
    for (std::size_t i = 0; i < pairs.pairs.size(); ++i) {
        if (s.sets.at(i) != side) continue;
        const bool shifted = pairs.pairs[i].label == 1 || options.augment_negatives;
        if (augment && side == pair_set::train && shifted)
            for (long long o : options.augmentation_offsets) items.push_back({i, o});
        else
            items.push_back({i, 0});
    }
    return items;
}

balanced_plan::balanced_plan(const window_examples& training, std::uint64_t seed, std::size_t positives,
                             std::size_t negatives, std::size_t max_batches)
    : seed_(seed), per_positive_(positives), per_negative_(negatives), max_batches_(max_batches) {
    for (std::size_t i = 0; i < training.size(); ++i) (training.label(i) == 1 ? positive_ : negative_).push_back(i);
    if (positive_.empty() || negative_.empty())
        throw input_error("the training set needs positive and negative pairs; it has " + std::to_string(positive_.size()) +
                          " positive and " + std::to_string(negative_.size()) + " negative examples");
}

std::size_t balanced_plan::batches_per_epoch() const {
    const std::size_t full = (positive_.size() + per_positive_ - 1) / per_positive_;
    return max_batches_ > 0 ? std::min(full, max_batches_) : full;
}

std::vector<std::vector<std::size_t>> balanced_plan::epoch(std::size_t e) const {
    auto shuffled = [&](std::vector<std::size_t> v, std::uint64_t stream) {
        helix::counter_rng rng(seed_, stream);
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.next_below(i)]);
        return v;
    };
    const auto pos = shuffled(positive_, 2 * e), neg = shuffled(negative_, 2 * e + 1);
    std::vector<std::vector<std::size_t>> batches(batches_per_epoch());
    std::size_t p = 0, n = 0;
    for (auto& b : batches) {
        for (std::size_t k = 0; k < per_positive_ && p < pos.size(); ++k) b.push_back(pos[p++]);
        for (std::size_t k = 0; k < per_negative_; ++k) b.push_back(neg[n++ % neg.size()]);
    }
    return batches;
}

}  // namespace epiann
