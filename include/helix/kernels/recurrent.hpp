// Element kernels of the recurrent layers (layers/recurrent/lstm.hpp, gru.hpp) and of bidirectional
// (nn/bidirectional.hpp), as HELIX_HD functors run by ops<Device>::for_each: one index per (sample, hidden unit) of
// one time step, so every index reads and writes only its own values. The matrix products around them (all
// input projections at once, one recurrent product per step) are the layers' gemm calls. The step functors take the
// hidden size H as a template parameter, so splitting an index into (sample, unit) is a division by a constant.
//
// Cache layout the functors share (region after region, each batch-major, rows of one sample in position order):
//   lstm: gates [B, L, 4H] (pre-activations, then i, f, g, o, then their gradients), cell [B, L, H],
//         prev [B, L, H] (row t: the hidden state the step at t read; zero for the first step), dh [B, H], dc [B, H]
//   gru:  xg [B, L, 3H] (W_ih x, then r, z, n, then the gradients of the input pre-activations),
//         hg [B, L, 3H] (W_hh h, then its n part with b_hn, then the gradients of the hidden pre-activations),
//         prev [B, L, H], dh [B, H]
//   gru, reset_gate::before: xg as above (its gradients are also the hidden pre-activations'), hg [B, L, 2H]
//         (W_hr h | W_hz h, then r h | W_hn (r h), then r h | d(r h)), prev [B, L, H], dh [B, H]
// The gate activation G (gate_activation) applies to the LSTM's i, f, o and the GRU's r, z; g, n and the cell stay
// tanh.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "helix/core/hd.hpp"

namespace helix {

// The recurrent layers' options (layers/recurrent/rnn.hpp describes them); here because the step kernels take them.
enum class gate_activation { sigmoid, hard_sigmoid };
enum class reset_gate { after, before };

}  // namespace helix

namespace helix::kernels {

// tanh for the step kernels. In float, glibc's tanhf (and expm1f) cost several times expf and dominated the LSTM
// step, so: |x| < 0.5 by its Taylor series to x^15 (error below 1e-8), beyond it 1 - 2 / (exp(2|x|) + 1), where
// there is no cancellation, |x| clamped at 10 (tanh is 1 in float); within 3e-7 relative of tanh, NaN gives NaN.
// In double it is std::tanh (gradient checks and golden tests compare to 1e-13).
template <class T>
HELIX_HD inline T rnn_tanh(T x) {
    if constexpr (std::is_same_v<T, float>) {
        const float a = x < 0.0f ? -x : x;
        float t;
        if (a < 0.5f) {
            const float a2 = a * a;
            float p = -929569.0f / 638512875.0f;
            p = p * a2 + 21844.0f / 6081075.0f;
            p = p * a2 - 1382.0f / 155925.0f;
            p = p * a2 + 62.0f / 2835.0f;
            p = p * a2 - 17.0f / 315.0f;
            p = p * a2 + 2.0f / 15.0f;
            p = p * a2 - 1.0f / 3.0f;
            t = a + a * a2 * p;
        } else {
            const float e = std::exp(2.0f * (a > 10.0f ? 10.0f : a));  // NaN stays NaN
            t = 1.0f - 2.0f / (e + 1.0f);
        }
        return x < 0.0f ? -t : t;
    } else {
        return std::tanh(x);
    }
}

// sigmoid without a branch: for x below -88 (float) exp(-x) is inf and the result the correct 0.
template <class T>
HELIX_HD inline T rnn_sigmoid(T x) {
    return T(1) / (T(1) + std::exp(-x));
}

// A gate: sigmoid, or Keras 2.x's hard_sigmoid clip(0.2 x + 0.5, 0, 1) (NaN stays NaN).
template <gate_activation G, class T>
HELIX_HD inline T rnn_gate(T x) {
    if constexpr (G == gate_activation::hard_sigmoid) {
        const T y = T(0.2) * x + T(0.5);
        return y < T(0) ? T(0) : (y > T(1) ? T(1) : y);
    } else {
        return rnn_sigmoid(x);
    }
}

// d * (the gate's derivative), from the gate's value y: sigmoid d y (1 - y) (in that order, as the layers always
// rounded it); hard_sigmoid 0.2 d where 0 < y < 1, i.e. strictly inside (-2.5, 2.5), else 0.
template <gate_activation G, class T>
HELIX_HD inline T rnn_gate_grad(T d, T y) {
    if constexpr (G == gate_activation::hard_sigmoid) return y > T(0) && y < T(1) ? d * T(0.2) : T(0);
    else return d * y * (T(1) - y);
}

// Where one step writes (forward) or reads (backward) its hidden state in the layer's output: sample b's value
// j is at data[b * stride + offset + j]; `active` is false for the steps that have none (rnn_output::last).
template <class T>
struct rnn_output_slot {
    T* data;
    std::size_t stride, offset;
    bool active;
};

// One LSTM step at position pos (PyTorch's gate order i, f, g, o):
//   i, f, o = sigmoid(.), g = tanh(.) of gates + b_ih + b_hh;  c = f c_prev + i g;  h = o tanh(c)
// Keeps i, f, g, o in place of the pre-activations, c in cell, and h in prev at the next step's row. G: the gates'
// activation (sigmoid above).
template <class T, std::size_t H, gate_activation G = gate_activation::sigmoid>
struct lstm_step_forward {
    T* gates;
    T* cell;
    T* prev;
    const T* bias_ih;
    const T* bias_hh;
    rnn_output_slot<T> out;
    std::size_t length, pos, prev_pos, next_pos;
    bool first, has_next;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* g = gates + row * 4 * H;
        const std::size_t ki = j, kf = H + j, kg = 2 * H + j, ko = 3 * H + j;
        const T ig = rnn_gate<G>(g[ki] + bias_ih[ki] + bias_hh[ki]);
        const T fg = rnn_gate<G>(g[kf] + bias_ih[kf] + bias_hh[kf]);
        const T gg = rnn_tanh(g[kg] + bias_ih[kg] + bias_hh[kg]);
        const T og = rnn_gate<G>(g[ko] + bias_ih[ko] + bias_hh[ko]);
        const T cp = first ? T(0) : cell[(b * length + prev_pos) * H + j];
        const T c = fg * cp + ig * gg;
        const T h = og * rnn_tanh(c);
        g[ki] = ig;
        g[kf] = fg;
        g[kg] = gg;
        g[ko] = og;
        cell[row * H + j] = c;
        if (first) prev[row * H + j] = T(0);
        if (has_next) prev[(b * length + next_pos) * H + j] = h;
        if (out.active) out.data[b * out.stride + out.offset + j] = h;
    }
};

// One LSTM step backward: from dh (carried from the later step, plus the output's gradient at this step) and dc,
// the gradients of the four pre-activations (written over i, f, g, o) and dc for the earlier step. The caller then
// sets dh = dgates W_hh for the earlier step.
template <class T, std::size_t H, gate_activation G = gate_activation::sigmoid>
struct lstm_step_backward {
    T* gates;
    const T* cell;
    T* dh;
    T* dc;
    rnn_output_slot<const T> dout;
    std::size_t length, pos, prev_pos;
    bool first;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* g = gates + row * 4 * H;
        const std::size_t ki = j, kf = H + j, kg = 2 * H + j, ko = 3 * H + j;
        const T ig = g[ki], fg = g[kf], gg = g[kg], og = g[ko];
        const T c = cell[row * H + j];
        const T cp = first ? T(0) : cell[(b * length + prev_pos) * H + j];
        const T tc = rnn_tanh(c);
        const T dht = dh[i] + (dout.active ? dout.data[b * dout.stride + dout.offset + j] : T(0));
        const T dct = dc[i] + dht * og * (T(1) - tc * tc);
        g[ki] = rnn_gate_grad<G>(dct * gg, ig);
        g[kf] = rnn_gate_grad<G>(dct * cp, fg);
        g[kg] = dct * ig * (T(1) - gg * gg);
        g[ko] = rnn_gate_grad<G>(dht * tc, og);
        dc[i] = dct * fg;
    }
};

// One GRU step at position pos (PyTorch's gate order r, z, n):
//   r = sigmoid(x_r + b_ir + h_r + b_hr), z likewise, n = tanh(x_n + b_in + r (h_n + b_hn)), h = (1 - z) n + z h_prev
// where x_* = W_i* x (in xg) and h_* = W_h* h_prev (in hg; zero at the first step). Keeps r, z, n in xg, h_n + b_hn
// in hg's n part, and h in prev at the next step's row. G: the gates' activation (sigmoid above).
template <class T, std::size_t H, gate_activation G = gate_activation::sigmoid>
struct gru_step_forward {
    T* xg;
    T* hg;
    T* prev;
    const T* bias_ih;
    const T* bias_hh;
    rnn_output_slot<T> out;
    std::size_t length, pos, next_pos;
    bool first, has_next;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        T* u = hg + row * 3 * H;
        const std::size_t kr = j, kz = H + j, kn = 2 * H + j;
        const T hr = (first ? T(0) : u[kr]) + bias_hh[kr];
        const T hz = (first ? T(0) : u[kz]) + bias_hh[kz];
        const T hn = (first ? T(0) : u[kn]) + bias_hh[kn];
        const T r = rnn_gate<G>(a[kr] + bias_ih[kr] + hr);
        const T z = rnn_gate<G>(a[kz] + bias_ih[kz] + hz);
        const T n = rnn_tanh(a[kn] + bias_ih[kn] + r * hn);
        const T hp = first ? T(0) : prev[row * H + j];
        const T h = (T(1) - z) * n + z * hp;
        a[kr] = r;
        a[kz] = z;
        a[kn] = n;
        u[kn] = hn;
        if (first) prev[row * H + j] = T(0);
        if (has_next) prev[(b * length + next_pos) * H + j] = h;
        if (out.active) out.data[b * out.stride + out.offset + j] = h;
    }
};

// One GRU step backward: the gradients of the input pre-activations (over r, z, n in xg) and of the hidden ones
// (over hg: dr, dz, dn r), and dh = dh z for the earlier step, to which the caller adds dhg W_hh.
template <class T, std::size_t H, gate_activation G = gate_activation::sigmoid>
struct gru_step_backward {
    T* xg;
    T* hg;
    const T* prev;
    T* dh;
    rnn_output_slot<const T> dout;
    std::size_t length, pos;
    bool first;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        T* u = hg + row * 3 * H;
        const std::size_t kr = j, kz = H + j, kn = 2 * H + j;
        const T r = a[kr], z = a[kz], n = a[kn], hn = u[kn];
        const T hp = first ? T(0) : prev[row * H + j];
        const T dht = dh[i] + (dout.active ? dout.data[b * dout.stride + dout.offset + j] : T(0));
        const T dn = dht * (T(1) - z) * (T(1) - n * n);
        const T dz = rnn_gate_grad<G>(dht * (hp - n), z);
        const T dr = rnn_gate_grad<G>(dn * hn, r);
        a[kr] = dr;
        a[kz] = dz;
        a[kn] = dn;
        u[kr] = dr;
        u[kz] = dz;
        u[kn] = dn * r;
        dh[i] = dht * z;
    }
};

// The GRU with the reset gate before the recurrent product (Keras' reset_after=False), one bias b of 3H:
//   r = G(x_r + b_r + W_hr h_prev), z = G(x_z + b_z + W_hz h_prev), n = tanh(x_n + b_n + W_hn (r h_prev)),
//   h = (1 - z) n + z h_prev
// r h_prev must exist before its product, so a step is two halves around the caller's products: [W_hr h | W_hz h]
// into hg (one [B x H] x [H x 2H] product), gru_before_gates, W_hn (r h) into hg's second half ([B x H] x [H x H]),
// gru_before_step_forward. First half: r, z into xg, r h_prev into hg's first half (zero at the first step).
template <class T, std::size_t H, gate_activation G>
struct gru_before_gates {
    T* xg;
    T* hg;
    T* prev;
    const T* bias;
    std::size_t length, pos;
    bool first;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        T* u = hg + row * 2 * H;
        const T r = rnn_gate<G>(a[j] + bias[j] + (first ? T(0) : u[j]));
        const T z = rnn_gate<G>(a[H + j] + bias[H + j] + (first ? T(0) : u[H + j]));
        const T hp = first ? T(0) : prev[row * H + j];
        a[j] = r;
        a[H + j] = z;
        u[j] = r * hp;
        if (first) prev[row * H + j] = T(0);
    }
};

// Second half: n and h from W_hn (r h_prev) in hg's second half (zero at the first step); keeps n in xg and h in
// prev at the next step's row.
template <class T, std::size_t H>
struct gru_before_step_forward {
    T* xg;
    const T* hg;
    T* prev;
    const T* bias;
    rnn_output_slot<T> out;
    std::size_t length, pos, next_pos;
    bool first, has_next;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        const std::size_t kz = H + j, kn = 2 * H + j;
        const T n = rnn_tanh(a[kn] + bias[kn] + (first ? T(0) : hg[row * 2 * H + H + j]));
        const T z = a[kz];
        const T hp = first ? T(0) : prev[row * H + j];
        const T h = (T(1) - z) * n + z * hp;
        a[kn] = n;
        if (has_next) prev[(b * length + next_pos) * H + j] = h;
        if (out.active) out.data[b * out.stride + out.offset + j] = h;
    }
};

// Backward, first half: the gradients of the n and z pre-activations (over n, z in xg) and dh = dh z. The caller
// then puts d(r h_prev) = dn W_hn into hg's second half and runs gru_before_reset_backward; at the first step
// (h_prev = 0) r has no gradient: it is written here and the rest is skipped.
template <class T, std::size_t H, gate_activation G>
struct gru_before_step_backward {
    T* xg;
    const T* prev;
    T* dh;
    rnn_output_slot<const T> dout;
    std::size_t length, pos;
    bool first;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        const std::size_t kz = H + j, kn = 2 * H + j;
        const T z = a[kz], n = a[kn];
        const T hp = first ? T(0) : prev[row * H + j];
        const T dht = dh[i] + (dout.active ? dout.data[b * dout.stride + dout.offset + j] : T(0));
        a[kn] = dht * (T(1) - z) * (T(1) - n * n);
        a[kz] = rnn_gate_grad<G>(dht * (hp - n), z);
        if (first) a[j] = T(0);
        dh[i] = dht * z;
    }
};

// Second half (not at the first step): from d(r h_prev) in hg's second half, the r pre-activation's gradient (over r
// in xg) and dh += d(r h_prev) r; the caller then adds [dr | dz] W_hh[r, z rows] to dh.
template <class T, std::size_t H, gate_activation G>
struct gru_before_reset_backward {
    T* xg;
    const T* hg;
    const T* prev;
    T* dh;
    std::size_t length, pos;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t b = i / H, j = i % H, row = b * length + pos;
        T* a = xg + row * 3 * H;
        const T drh = hg[row * 2 * H + H + j], r = a[j];
        a[j] = rnn_gate_grad<G>(drh * prev[row * H + j], r);
        dh[i] += drh * r;
    }
};

// dst[k] += sum over rows r of src[r * width + k] (a bias gradient), and the same into dst2 when it is given. One
// index per column: every gradient element is summed by one thread, in row order.
template <class T>
struct add_bias_gradients {
    const T* src;
    T* dst;
    T* dst2;
    std::size_t rows, width;

    HELIX_HD void operator()(std::size_t k) const {
        T s = T(0);
        for (std::size_t r = 0; r < rows; ++r) s += src[r * width + k];
        dst[k] += s;
        if (dst2) dst2[k] += s;
    }
};

// out = [a | b] on the last axis, row by row: a has ca channels, b cb (bidirectional's concatenation).
template <class T>
struct concat_channels {
    const T* a;
    const T* b;
    T* out;
    std::size_t ca, cb;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t w = ca + cb, r = i / w, c = i % w;
        out[i] = c < ca ? a[r * ca + c] : b[r * cb + (c - ca)];
    }
};

// The inverse: a = in[..., :ca], b = in[..., ca:].
template <class T>
struct split_channels {
    const T* in;
    T* a;
    T* b;
    std::size_t ca, cb;

    HELIX_HD void operator()(std::size_t i) const {
        const std::size_t w = ca + cb, r = i / w, c = i % w;
        if (c < ca) a[r * ca + c] = in[i];
        else b[r * cb + (c - ca)] = in[i];
    }
};

}  // namespace helix::kernels
