// The functors of the normalisation, pooling and softmax layers (layer_norm, batch_norm, global_max_pool,
// global_avg_pool, avg_pool1d, softmax), HELIX_HD: the layers run them through ops_of<Ctx>::for_each, so the same code
// serves the CPU (OpenMP) and CUDA (grid-stride kernel). Each call operator writes only the outputs of its own index
// (a row, a channel or one element) and sums in a fixed order, so results are deterministic on every backend.
// Layouts are channel-last: row r of a <..., C> tensor is x[r * C, r * C + C).
#pragma once

#include <cmath>
#include <cstddef>

#include "helix/core/hd.hpp"
#include "helix/kernels/softmax.hpp"

namespace helix::kernels {

// ---- layer_norm: one row of C values per index -------------------------------------------------------------------

// y = (x - mean) / sqrt(var + eps) * gamma + beta over each row (biased variance); stats[2r], stats[2r + 1] = the
// row's mean and 1 / sqrt(var + eps), kept for backward.
template <class T>
struct layer_norm_forward {
    const T* x;
    T* y;
    const T* gamma;
    const T* beta;
    T* stats;
    std::size_t c;
    T eps;
    HELIX_HD void operator()(std::size_t r) const {
        const T* xr = x + r * c;
        T* yr = y + r * c;
        T mean = 0;
        for (std::size_t j = 0; j < c; ++j) mean += xr[j];
        mean /= T(c);
        T var = 0;
        for (std::size_t j = 0; j < c; ++j) var += (xr[j] - mean) * (xr[j] - mean);
        var /= T(c);
        const T rstd = T(1) / std::sqrt(var + eps);
        for (std::size_t j = 0; j < c; ++j) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
        stats[2 * r] = mean;
        stats[2 * r + 1] = rstd;
    }
};

// d gamma[j] += sum_r dy[r, j] xhat[r, j], d beta[j] += sum_r dy[r, j]: one index per channel, rows in order.
template <class T>
struct layer_norm_param_grads {
    const T* x;
    const T* dy;
    const T* stats;
    T* grads;  // d gamma [c], then d beta [c]
    std::size_t rows, c;
    HELIX_HD void operator()(std::size_t j) const {
        T dg = 0, db = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const T xhat = (x[r * c + j] - stats[2 * r]) * stats[2 * r + 1];
            dg += dy[r * c + j] * xhat;
            db += dy[r * c + j];
        }
        grads[j] += dg;
        grads[c + j] += db;
    }
};

// dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma, per row.
template <class T>
struct layer_norm_input_grad {
    const T* x;
    const T* dy;
    const T* gamma;
    const T* stats;
    T* dx;
    std::size_t c;
    HELIX_HD void operator()(std::size_t r) const {
        const T mean = stats[2 * r], rstd = stats[2 * r + 1];
        const T* xr = x + r * c;
        const T* dyr = dy + r * c;
        T s1 = 0, s2 = 0;
        for (std::size_t j = 0; j < c; ++j) {
            const T g = dyr[j] * gamma[j];
            s1 += g;
            s2 += g * (xr[j] - mean) * rstd;
        }
        s1 /= T(c);
        s2 /= T(c);
        T* dxr = dx + r * c;
        for (std::size_t j = 0; j < c; ++j) dxr[j] = rstd * (dyr[j] * gamma[j] - s1 - (xr[j] - mean) * rstd * s2);
    }
};

// ---- batch_norm: one channel per index, its `rows` values (batch x length) at stride `channels` -------------------

// The batch statistics of channel ch: mean and biased variance (two passes).
template <class T>
HELIX_HD void channel_moments(const T* x, std::size_t rows, std::size_t channels, std::size_t ch, T& mean, T& var) {
    mean = 0;
    for (std::size_t r = 0; r < rows; ++r) mean += x[r * channels + ch];
    mean /= T(rows);
    var = 0;
    for (std::size_t r = 0; r < rows; ++r) var += (x[r * channels + ch] - mean) * (x[r * channels + ch] - mean);
    var /= T(rows);
}

// Training: normalise by the batch statistics and move the running ones towards them (running_var by the unbiased
// variance, as PyTorch); evaluation: normalise by the running statistics.
template <class T>
struct batch_norm_forward {
    const T* x;
    T* y;
    const T* gamma;
    const T* beta;
    T* running_mean;  // written only while training
    T* running_var;
    std::size_t rows, channels;
    T eps, momentum;
    bool training;
    HELIX_HD void operator()(std::size_t ch) const {
        T mean, var;
        if (training) {
            channel_moments(x, rows, channels, ch, mean, var);
            running_mean[ch] = (T(1) - momentum) * running_mean[ch] + momentum * mean;
            running_var[ch] = (T(1) - momentum) * running_var[ch] + momentum * var * T(rows) / T(rows - 1);
        } else {
            mean = running_mean[ch];
            var = running_var[ch];
        }
        const T scale = gamma[ch] / std::sqrt(var + eps);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = r * channels + ch;
            y[i] = (x[i] - mean) * scale + beta[ch];
        }
    }
};

// Evaluation: the same as batch_norm_forward's evaluation branch, one index per row (channels contiguous: the loop
// vectorises), with the same arithmetic, so the same bits.
template <class T>
struct batch_norm_evaluate_rows {
    const T* x;
    T* y;
    const T* gamma;
    const T* beta;
    const T* running_mean;
    const T* running_var;
    std::size_t channels;
    T eps;
    HELIX_HD void operator()(std::size_t r) const {
        const T* xr = x + r * channels;
        T* yr = y + r * channels;
        for (std::size_t ch = 0; ch < channels; ++ch) {
            const T scale = gamma[ch] / std::sqrt(running_var[ch] + eps);
            yr[ch] = (xr[ch] - running_mean[ch]) * scale + beta[ch];
        }
    }
};

// d gamma += sum dy xhat, d beta += sum dy; dx = gamma rstd (dy - mean(dy) - xhat mean(dy xhat)) while training (the
// batch statistics depend on x), gamma rstd dy in evaluation. The batch statistics are recomputed from x, exactly as
// forward computed them.
template <class T>
struct batch_norm_backward {
    const T* x;
    const T* dy;
    const T* gamma;
    const T* running_mean;
    const T* running_var;
    T* grads;  // d gamma [channels], then d beta [channels]
    T* dx;     // null: no input gradient
    std::size_t rows, channels;
    T eps;
    bool training;
    HELIX_HD void operator()(std::size_t ch) const {
        T mean, var;
        if (training) channel_moments(x, rows, channels, ch, mean, var);
        else mean = running_mean[ch], var = running_var[ch];
        const T rstd = T(1) / std::sqrt(var + eps);
        T s1 = 0, s2 = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = r * channels + ch;
            s1 += dy[i];
            s2 += dy[i] * (x[i] - mean) * rstd;
        }
        grads[ch] += s2;
        grads[channels + ch] += s1;
        if (!dx) return;
        const T scale = gamma[ch] * rstd;
        const T m1 = s1 / T(rows), m2 = s2 / T(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = r * channels + ch;
            dx[i] = training ? scale * (dy[i] - m1 - (x[i] - mean) * rstd * m2) : scale * dy[i];
        }
    }
};

// ---- global pools: <L, C> -> <C>, one output value (sample b, channel c; index b * C + c) per index ---------------

// The position of the maximum of x[l * channels], l < length: the first of ties; a NaN wins (the first NaN), so it
// propagates as in PyTorch.
template <class T>
HELIX_HD std::size_t column_argmax(const T* x, std::size_t length, std::size_t channels) {
    std::size_t best = 0;
    T top = x[0];
    for (std::size_t l = 1; l < length; ++l) {
        const T v = x[l * channels];
        if (v > top || (v != v && top == top)) top = v, best = l;
    }
    return best;
}

template <class T>
struct global_max_forward {
    const T* x;
    T* y;
    std::size_t length, channels;
    HELIX_HD void operator()(std::size_t i) const {
        const T* col = x + (i / channels) * length * channels + i % channels;
        y[i] = col[column_argmax(col, length, channels) * channels];
    }
};

// The gradient goes to the winning position only (the same argmax, recomputed); every other input gets 0.
template <class T>
struct global_max_backward {
    const T* x;
    const T* dy;
    T* dx;
    std::size_t length, channels;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t at = (i / channels) * length * channels + i % channels;
        const std::size_t best = column_argmax(x + at, length, channels);
        for (std::size_t l = 0; l < length; ++l) dx[at + l * channels] = l == best ? dy[i] : T(0);
    }
};

template <class T>
struct global_avg_forward {
    const T* x;
    T* y;
    std::size_t length, channels;
    HELIX_HD void operator()(std::size_t i) const {
        const T* col = x + (i / channels) * length * channels + i % channels;
        T s = 0;
        for (std::size_t l = 0; l < length; ++l) s += col[l * channels];
        y[i] = s / T(length);
    }
};

// One index per input value (b, l, c): dx = dy[b, c] / length.
template <class T>
struct global_avg_backward {
    const T* dy;
    T* dx;
    std::size_t length, channels;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t c = i % channels, b = i / (length * channels);
        dx[i] = dy[b * channels + c] / T(length);
    }
};

// ---- avg_pool1d<W, S>: valid windows along the length axis ---------------------------------------------------------

// One index per output value (b, o, c): the mean of x[b, o S + k, c], k < W.
template <class T>
struct avg_pool_forward {
    const T* x;
    T* y;
    std::size_t length, out_length, channels, width, stride;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t c = i % channels, o = (i / channels) % out_length, b = i / (channels * out_length);
        const T* col = x + b * length * channels + o * stride * channels + c;
        T s = 0;
        for (std::size_t k = 0; k < width; ++k) s += col[k * channels];
        y[i] = s / T(width);
    }
};

// One index per input value (b, l, c): the sum of dy[b, o, c] / W over the windows o that cover l
// (o S <= l < o S + W), in increasing o.
template <class T>
struct avg_pool_backward {
    const T* dy;
    T* dx;
    std::size_t length, out_length, channels, width, stride;
    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t c = i % channels, l = (i / channels) % length, b = i / (channels * length);
        const std::size_t lo = l >= width ? (l - width) / stride + 1 : 0;
        const std::size_t hi = l / stride < out_length - 1 ? l / stride : out_length - 1;
        T s = 0;
        for (std::size_t o = lo; o <= hi; ++o) s += dy[(b * out_length + o) * channels + c];
        dx[i] = s / T(width);
    }
};

// ---- softmax over the last axis: one row of n values per index ---------------------------------------------------

template <class T>
struct softmax_rows_forward {
    const T* x;
    T* y;
    std::size_t n;
    HELIX_HD void operator()(std::size_t r) const {
        for (std::size_t j = 0; j < n; ++j) y[r * n + j] = x[r * n + j];
        softmax_row(y + r * n, n);
    }
};

// dx = y (dy - sum_j y_j dy_j), from the output.
template <class T>
struct softmax_rows_backward {
    const T* y;
    const T* dy;
    T* dx;
    std::size_t n;
    HELIX_HD void operator()(std::size_t r) const {
        for (std::size_t j = 0; j < n; ++j) dx[r * n + j] = dy[r * n + j];
        softmax_backward_row(y + r * n, dx + r * n, n);
    }
};

}  // namespace helix::kernels
