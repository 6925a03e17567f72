// What training and prediction need of the data, and nothing more: a numbered set of examples (a pair of
// windows, its label, its element coordinates) that can fill a batch, and, for training, the batches of each
// epoch. The data side (data/) implements them from genomes, pair files and splits; tests implement them in
// memory.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace epiann {

// Where one batch goes: row-major, `batch` rows each.
struct batch_buffers {
    float* enhancer;         // batch x enhancer_window x 4, one-hot
    float* promoter;         // batch x promoter_window x 4
    float* label;            // batch (0 or 1; 0 when unknown)
    float* enhancer_coords;  // batch x 2: element start and end inside the window, z-scored
    float* promoter_coords;  // batch x 2
};

class example_set {
public:
    virtual ~example_set() = default;
    virtual std::size_t size() const = 0;
    // 0 or 1; -1 when the pair has no label (new pairs to predict).
    virtual int label(std::size_t example) const = 0;
    // Fills row k of `out` with example items[k]. May run in parallel inside; memory is the batch's only.
    virtual void fill(std::span<const std::size_t> items, const batch_buffers& out) const = 0;
};

// The order of training: the batches of epoch e (each a list of example indices), a pure function of the seed
// and e, so that a resumed run sees the same batches as an uninterrupted one.
class training_plan {
public:
    virtual ~training_plan() = default;
    virtual std::vector<std::vector<std::size_t>> epoch(std::size_t e) const = 0;
};

}  // namespace epiann
