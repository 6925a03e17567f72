// Training, validation and test examples built from a pair file, a split and a genome: the data side of
// train/example_set.hpp.
//
// window_examples: one example per (pair, offset). fill() fetches and one-hot encodes each window in parallel
//   (OpenMP across the batch) straight into the batch buffers, so memory is bounded by the batch. Coordinate
//   targets are the element's start and end inside its window, z-scored with the training set's mean and sd
//   (coordinate_scaler, stored in checkpoints so prediction uses the same).
// balanced_plan: the paper's batches, `positives` positive and `negatives` negative examples each (32 + 32).
//   Epoch e shuffles both lists with (seed, e); batches walk through the positives once, cycling through the
//   negatives; `max_batches` (0: no limit) caps an epoch's length.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/pairs.hpp"
#include "data/splits.hpp"
#include "data/windows.hpp"
#include "genome/genome.hpp"
#include "train/example_set.hpp"

namespace epiann {

struct example_item {
    std::size_t pair = 0;
    long long offset = 0;
};

struct coordinate_scaler {
    std::array<double, 4> mean{0, 0, 0, 0}, sd{1, 1, 1, 1};  // enhancer start, end; promoter start, end

    nlohmann::json to_json() const { return {{"mean", mean}, {"sd", sd}}; }
    static coordinate_scaler from_json(const nlohmann::json& j);
};

class window_examples final : public example_set {
public:
    window_examples(const genome& g, const pair_file& pairs, const window_options& options, std::vector<example_item> items);

    std::size_t size() const override { return items_.size(); }
    int label(std::size_t example) const override { return pairs_->pairs[items_[example].pair].label; }
    void fill(std::span<const std::size_t> items, const batch_buffers& out) const override;

    const example_item& item(std::size_t example) const { return items_[example]; }
    pair_windows windows(std::size_t example) const;  // computed on demand: sets of millions of examples stay small
    const pair_file& pairs() const { return *pairs_; }

    void set_scaler(const coordinate_scaler& s) { scaler_ = s; }
    coordinate_scaler fit_scaler() const;  // from this set's element positions
    const coordinate_scaler& scaler() const { return scaler_; }

private:
    const genome* genome_;
    const pair_file* pairs_;
    window_options options_;
    std::vector<example_item> items_;
    chromosome_lengths lengths_;
    coordinate_scaler scaler_;
};

// The examples of one side of a split. With `augment`, training positives get every offset of
// options.augmentation_offsets and, when options.augment_negatives, training negatives too; all other pairs are
// centred only.
std::vector<example_item> split_items(const pair_file& pairs, const split& s, pair_set side, const window_options& options,
                                      bool augment);

class balanced_plan final : public training_plan {
public:
    balanced_plan(const window_examples& training, std::uint64_t seed, std::size_t positives = 32,
                  std::size_t negatives = 32, std::size_t max_batches = 0);
    std::vector<std::vector<std::size_t>> epoch(std::size_t e) const override;
    std::size_t batches_per_epoch() const;

private:
    std::vector<std::size_t> positive_, negative_;
    std::uint64_t seed_;
    std::size_t per_positive_, per_negative_, max_batches_;
};

// A genome's chromosome lengths as data/windows.hpp wants them.
chromosome_lengths lengths_of(const genome& g);

}  // namespace epiann
