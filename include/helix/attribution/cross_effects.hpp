// cross_effects: for one sample of a pair model, how occluding each region of one half changes the attribution of
// every region of the other half: effect(i, j) = A_j(x with region i of the occluded half set to zero rows) - A_j(x),
// where A_j is the input x gradient of the weighted output f = weights . output summed over region j of the other
// half. A model that reads each half on its own has effect 0 everywhere; one that pairs a site of one half with a site
// of the other shows it as a cell. Regions are `region` rows wide (the last one shorter). One batch of variants
// (every region of the occluded half, and the unoccluded sample) through input_gradient, options.batch at a time.
// Requires: a pair input of <L, C> halves; mode::evaluation or mode::inference (argument_error otherwise).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "helix/attribution/samples.hpp"
#include "helix/nn/input_gradient.hpp"

namespace helix::attribution {

struct cross_effect_options {
    std::size_t region = 40;  // rows per region, on both halves
    std::size_t batch = 64;
};

struct cross_effect_map {
    std::size_t rows = 0, cols = 0;  // rows: regions of the occluded half; cols: regions of the other half
    std::vector<double> values;      // rows x cols, row-major
    double operator()(std::size_t i, std::size_t j) const { return values[i * cols + j]; }
};

template <class Net, class T = typename Net::value_type>
cross_effect_map cross_effects(Net& net, cpu_context& ctx, view_t<const T, typename Net::input> sample,
                               std::span<const T> weights, bool occlude_first, const cross_effect_options& options = {}) {
    using In = typename Net::input;
    static_assert(is_pair_v<In> && is_shape_v<typename In::first_type> && is_shape_v<typename In::second_type>,
                  "cross_effects: the model's input must be a pair of two <L, C> tensors");
    using A = typename In::first_type;
    using B = typename In::second_type;
    static_assert(A::rank == 2 && B::rank == 2, "cross_effects: each half must be a sequence <L, C>");
    detail::check_not_training(ctx, "cross_effects");
    detail::check_weights<Net>(weights, "cross_effects");
    if (sample.batch() != 1) throw argument_error("cross_effects: give one sample (a batch of 1)");
    if (options.region == 0 || options.batch == 0) throw argument_error("cross_effects: region and batch must be at least 1");
    const std::size_t occluded_rows = occlude_first ? A::dims[0] : B::dims[0];
    const std::size_t other_rows = occlude_first ? B::dims[0] : A::dims[0];
    const std::size_t other_channels = occlude_first ? B::dims[1] : A::dims[1];
    const std::size_t rows = (occluded_rows + options.region - 1) / options.region;
    const std::size_t cols = (other_rows + options.region - 1) / options.region;
    const std::size_t variants = rows + 1;  // variant 0: nothing occluded
    std::vector<double> attribution(variants * cols, 0.0);
    detail::scratch<T, In> x(std::min(options.batch, variants)), g(std::min(options.batch, variants));
    for (std::size_t first = 0; first < variants; first += options.batch) {
        const std::size_t n = std::min(options.batch, variants - first);
        const auto xv = x.view(n);
        const auto gv = g.view(n);
        for (std::size_t r = 0; r < n; ++r) {
            std::copy_n(sample.first.sample(0), A::size, xv.first.sample(r));
            std::copy_n(sample.second.sample(0), B::size, xv.second.sample(r));
            const std::size_t v = first + r;
            if (v == 0) continue;
            const std::size_t begin = (v - 1) * options.region, end = std::min(occluded_rows, begin + options.region);
            if (occlude_first) std::fill(xv.first.sample(r) + begin * A::dims[1], xv.first.sample(r) + end * A::dims[1], T(0));
            else std::fill(xv.second.sample(r) + begin * B::dims[1], xv.second.sample(r) + end * B::dims[1], T(0));
        }
        input_gradient(net, ctx, view_t<const T, In>(xv), gv, weights);
        for (std::size_t r = 0; r < n; ++r) {
            const T* xs = occlude_first ? xv.second.sample(r) : xv.first.sample(r);
            const T* gs = occlude_first ? gv.second.sample(r) : gv.first.sample(r);
            for (std::size_t l = 0; l < other_rows; ++l)
                for (std::size_t c = 0; c < other_channels; ++c)
                    attribution[(first + r) * cols + l / options.region] += double(xs[l * other_channels + c]) * double(gs[l * other_channels + c]);
        }
    }
    cross_effect_map m{rows, cols, std::vector<double>(rows * cols)};
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) m.values[i * cols + j] = attribution[(i + 1) * cols + j] - attribution[j];
    return m;
}

// How much the rows of a matrix differ from one another, as the share of its variance that its column means do not
// explain: 0 when every row is the same (column stripes: each column's value whatever the row), 1 when the column
// means are all equal. Applied to an attention matrix it says how much a query's weights depend on the query.
inline double row_dependence(std::span<const double> m, std::size_t rows, std::size_t cols) {
    if (rows * cols != m.size() || rows == 0 || cols == 0) throw shape_error("row_dependence: rows x cols values expected");
    double mean = 0;
    for (double v : m) mean += v;
    mean /= double(m.size());
    std::vector<double> column(cols, 0.0);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) column[j] += m[i * cols + j] / double(rows);
    double total = 0, within = 0;
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            total += (m[i * cols + j] - mean) * (m[i * cols + j] - mean);
            within += (m[i * cols + j] - column[j]) * (m[i * cols + j] - column[j]);
        }
    return total > 0 ? within / total : 0.0;
}

}  // namespace helix::attribution
