// The recurrent family: lstm, gru (both output kinds, both directions, the Keras forms: hard_sigmoid gates and the
// GRU's reset gate before the recurrent product) and bidirectional<>.
//   - finite-difference gradient checks in double (input and parameters), alone and inside a seq
//   - the fast path (one input-projection product, one recurrent product per step) against a plain per-sample loop
//     written here, in float, forward and backward, on one thread and several
//   - behaviour: the reverse direction is the forward one on the reversed sequence; bidirectional's layout, names,
//     PyTorch initialisation and inspection; a bidirectional lstm learns to find a pattern
// The PyTorch comparison is tests/recurrent_golden_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "helix/core/rng.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/recurrent/gru.hpp"
#include "helix/layers/recurrent/lstm.hpp"
#include "helix/loss/bce_with_logits.hpp"
#include "helix/nn/bidirectional.hpp"
#include "helix/nn/init.hpp"
#include "helix/nn/inspect.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "helix/optim/adam.hpp"
#include "helix/testing/compare.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {

constexpr auto seq_out = rnn_output::sequence;
constexpr auto last_out = rnn_output::last;
constexpr auto rev = rnn_direction::reverse;
constexpr auto fwd = rnn_direction::forward;
constexpr auto hard = gate_activation::hard_sigmoid;
constexpr auto sig = gate_activation::sigmoid;
constexpr auto before = reset_gate::before;

template <class Spec, io_type In>
void check(const char* name, const Spec& spec = Spec{}, testing::gradient_check_options opt = {}) {
    const typename Spec::template bind<In> layer(spec);
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count == opt.batch * In::size);
    CHECK(report.params.count == Spec::template bind<In>::param_size);
}

testing::gradient_check_options batch_of(std::size_t b) {
    testing::gradient_check_options o;
    o.batch = b;
    return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Plain reference: one sample at a time, one step at a time, loops only. Parameters in PyTorch's layout
// (weight_ih [G H, I], weight_hh [G H, H], bias_ih [G H], bias_hh [G H]; the GRU with the reset gate before: one
// bias [3H]); sum(out * g) gives dx and dp. `hard`: hard_sigmoid gates.
struct reference_result {
    std::vector<double> out, dx, dp;
};

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double gate(double x, bool hard) { return hard ? std::clamp(0.2 * x + 0.5, 0.0, 1.0) : sigm(x); }
double gate_slope(double y, bool hard) { return hard ? (y > 0 && y < 1 ? 0.2 : 0.0) : y * (1 - y); }

reference_result reference_lstm(const std::vector<double>& p, const std::vector<double>& x,
                                const std::vector<double>& g, std::size_t B, std::size_t L, std::size_t I,
                                std::size_t H, bool reverse, bool last, bool hard) {
    const std::size_t G = 4 * H;
    const double* wih = p.data();
    const double* whh = wih + G * I;
    const double* bih = whh + G * H;
    const double* bhh = bih + G;
    reference_result r{std::vector<double>(B * (last ? H : L * H)), std::vector<double>(x.size()),
                       std::vector<double>(p.size())};
    double* dwih = r.dp.data();
    double* dwhh = dwih + G * I;
    double* dbih = dwhh + G * H;
    double* dbhh = dbih + G;
    for (std::size_t b = 0; b < B; ++b) {
        std::vector<std::vector<double>> act(L, std::vector<double>(G)), cs(L + 1, std::vector<double>(H)),
            hs(L + 1, std::vector<double>(H));  // index s + 1 holds the state after step s
        std::vector<std::size_t> at(L);
        for (std::size_t s = 0; s < L; ++s) {
            const std::size_t t = reverse ? L - 1 - s : s;
            at[s] = t;
            const double* xt = x.data() + (b * L + t) * I;
            for (std::size_t k = 0; k < G; ++k) {
                double a = bih[k] + bhh[k];
                for (std::size_t i = 0; i < I; ++i) a += wih[k * I + i] * xt[i];
                for (std::size_t m = 0; m < H; ++m) a += whh[k * H + m] * hs[s][m];
                act[s][k] = (k >= 2 * H && k < 3 * H) ? std::tanh(a) : gate(a, hard);
            }
            for (std::size_t j = 0; j < H; ++j) {
                const double ig = act[s][j], fg = act[s][H + j], gg = act[s][2 * H + j], og = act[s][3 * H + j];
                cs[s + 1][j] = fg * cs[s][j] + ig * gg;
                hs[s + 1][j] = og * std::tanh(cs[s + 1][j]);
                if (!last) r.out[(b * L + t) * H + j] = hs[s + 1][j];
                else if (s + 1 == L) r.out[b * H + j] = hs[s + 1][j];
            }
        }
        std::vector<double> dh(H, 0.0), dc(H, 0.0), da(G);
        for (std::size_t s = L; s-- > 0;) {
            const std::size_t t = at[s];
            for (std::size_t j = 0; j < H; ++j) {
                if (!last) dh[j] += g[(b * L + t) * H + j];
                else if (s + 1 == L) dh[j] += g[b * H + j];
                const double ig = act[s][j], fg = act[s][H + j], gg = act[s][2 * H + j], og = act[s][3 * H + j];
                const double tc = std::tanh(cs[s + 1][j]);
                const double dct = dc[j] + dh[j] * og * (1 - tc * tc);
                da[j] = dct * gg * gate_slope(ig, hard);
                da[H + j] = dct * cs[s][j] * gate_slope(fg, hard);
                da[2 * H + j] = dct * ig * (1 - gg * gg);
                da[3 * H + j] = dh[j] * tc * gate_slope(og, hard);
                dc[j] = dct * fg;
            }
            const double* xt = x.data() + (b * L + t) * I;
            double* dxt = r.dx.data() + (b * L + t) * I;
            for (std::size_t k = 0; k < G; ++k) {
                for (std::size_t i = 0; i < I; ++i) {
                    dwih[k * I + i] += da[k] * xt[i];
                    dxt[i] += da[k] * wih[k * I + i];
                }
                for (std::size_t m = 0; m < H; ++m) dwhh[k * H + m] += da[k] * hs[s][m];
                dbih[k] += da[k];
                dbhh[k] += da[k];
            }
            for (std::size_t m = 0; m < H; ++m) {
                dh[m] = 0;
                for (std::size_t k = 0; k < G; ++k) dh[m] += da[k] * whh[k * H + m];
            }
        }
    }
    return r;
}

reference_result reference_gru(const std::vector<double>& p, const std::vector<double>& x,
                               const std::vector<double>& g, std::size_t B, std::size_t L, std::size_t I,
                               std::size_t H, bool reverse, bool last, bool hard, bool before) {
    const std::size_t G = 3 * H;
    const double* wih = p.data();
    const double* whh = wih + G * I;
    const double* bih = whh + G * H;
    const double* bhh = bih + G;  // not there with `before`
    reference_result r{std::vector<double>(B * (last ? H : L * H)), std::vector<double>(x.size()),
                       std::vector<double>(p.size())};
    double* dwih = r.dp.data();
    double* dwhh = dwih + G * I;
    double* dbih = dwhh + G * H;
    double* dbhh = dbih + G;
    for (std::size_t b = 0; b < B; ++b) {
        // Per step: r, z, n, W_hn h + b_hn (`before`: W_hn (r h)); states hs[s] before step s.
        std::vector<std::vector<double>> rg(L, std::vector<double>(H)), zg = rg, ng = rg, hn = rg,
                                                                         hs(L + 1, std::vector<double>(H));
        std::vector<std::size_t> at(L);
        for (std::size_t s = 0; s < L; ++s) {
            const std::size_t t = reverse ? L - 1 - s : s;
            at[s] = t;
            const double* xt = x.data() + (b * L + t) * I;
            std::vector<double> xa(G), ha(G);
            for (std::size_t k = 0; k < G; ++k) {
                xa[k] = bih[k];
                ha[k] = before ? 0.0 : bhh[k];
                for (std::size_t i = 0; i < I; ++i) xa[k] += wih[k * I + i] * xt[i];
                if (!before || k < 2 * H)
                    for (std::size_t m = 0; m < H; ++m) ha[k] += whh[k * H + m] * hs[s][m];
            }
            for (std::size_t j = 0; j < H; ++j) {
                rg[s][j] = gate(xa[j] + ha[j], hard);
                zg[s][j] = gate(xa[H + j] + ha[H + j], hard);
            }
            if (before)  // n = tanh(x_n + b_n + W_hn (r h)): the r of every unit first; the unit's r * hn is then exact
                for (std::size_t j = 0; j < H; ++j) {
                    double a = 0;
                    for (std::size_t m = 0; m < H; ++m) a += whh[(2 * H + j) * H + m] * rg[s][m] * hs[s][m];
                    ha[2 * H + j] = a;
                }
            for (std::size_t j = 0; j < H; ++j) {
                hn[s][j] = ha[2 * H + j];
                ng[s][j] = std::tanh(xa[2 * H + j] + (before ? hn[s][j] : rg[s][j] * hn[s][j]));
                hs[s + 1][j] = (1 - zg[s][j]) * ng[s][j] + zg[s][j] * hs[s][j];
                if (!last) r.out[(b * L + t) * H + j] = hs[s + 1][j];
                else if (s + 1 == L) r.out[b * H + j] = hs[s + 1][j];
            }
        }
        std::vector<double> dh(H, 0.0), dxa(G), dha(G);
        for (std::size_t s = L; s-- > 0;) {
            const std::size_t t = at[s];
            std::vector<double> dprev(H);
            for (std::size_t j = 0; j < H; ++j) {
                if (!last) dh[j] += g[(b * L + t) * H + j];
                else if (s + 1 == L) dh[j] += g[b * H + j];
                const double rr = rg[s][j], zz = zg[s][j], nn = ng[s][j];
                const double dnp = dh[j] * (1 - zz) * (1 - nn * nn);
                const double dzp = dh[j] * (hs[s][j] - nn) * gate_slope(zz, hard);
                const double drp = dnp * hn[s][j] * gate_slope(rr, hard);  // `before`: replaced below
                dxa[j] = drp, dxa[H + j] = dzp, dxa[2 * H + j] = dnp;
                dha[j] = drp, dha[H + j] = dzp, dha[2 * H + j] = dnp * rr;
                dprev[j] = dh[j] * zz;
            }
            if (before) {  // d(r h)_m = sum_j dn_j W_hn[j, m]: r's gradient, h's through r h, W_hn's from r h
                for (std::size_t m = 0; m < H; ++m) {
                    double drh = 0;
                    for (std::size_t j = 0; j < H; ++j) drh += dxa[2 * H + j] * whh[(2 * H + j) * H + m];
                    dxa[m] = dha[m] = drh * hs[s][m] * gate_slope(rg[s][m], hard);
                    dprev[m] += drh * rg[s][m];
                }
                for (std::size_t j = 0; j < H; ++j) {
                    for (std::size_t m = 0; m < H; ++m)
                        dwhh[(2 * H + j) * H + m] += dxa[2 * H + j] * rg[s][m] * hs[s][m];
                    dha[2 * H + j] = 0;  // W_hn's gradient is done, and it is not the product with h
                }
            }
            const double* xt = x.data() + (b * L + t) * I;
            double* dxt = r.dx.data() + (b * L + t) * I;
            for (std::size_t k = 0; k < G; ++k) {
                for (std::size_t i = 0; i < I; ++i) {
                    dwih[k * I + i] += dxa[k] * xt[i];
                    dxt[i] += dxa[k] * wih[k * I + i];
                }
                for (std::size_t m = 0; m < H; ++m) {
                    dwhh[k * H + m] += dha[k] * hs[s][m];
                    dprev[m] += dha[k] * whh[k * H + m];
                }
                dbih[k] += dxa[k];
                if (!before) dbhh[k] += dha[k];
            }
            dh = dprev;
        }
    }
    return r;
}

// The bound layer's forward and backward in T on `threads` threads, for sum(out * g).
template <class Bound, class T>
struct fast_result {
    std::vector<T> out, dx, dp;
};
template <class Bound, class T>
fast_result<Bound, T> run_layer(const std::vector<T>& p, const std::vector<T>& x, const std::vector<T>& g,
                                std::size_t batch, int threads) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    const Bound layer;
    cpu_context ctx(threads);
    fast_result<Bound, T> r{std::vector<T>(batch * Out::size), std::vector<T>(x.size(), T(7)),
                            std::vector<T>(p.size(), T(0))};
    std::vector<T> cache(batch * Bound::cache_size, T(-3));  // stale values must not leak in
    layer.template forward<T>(ctx, p.data(), view_at<In, const T>(x.data(), batch), view_at<Out, T>(r.out.data(), batch),
                              cache.data());
    layer.template backward<T>(ctx, p.data(), r.dp.data(), view_at<In, const T>(x.data(), batch),
                               view_at<Out, const T>(r.out.data(), batch), view_at<Out, const T>(g.data(), batch),
                               view_at<In, T>(r.dx.data(), batch), cache.data());
    return r;
}

template <class T>
std::vector<T> random_values(std::size_t n, counter_rng& rng, double scale) {
    std::vector<T> v(n);
    for (auto& e : v) e = T(scale * rng.next_normal());
    return v;
}

template <class T>
std::vector<double> widen(const std::vector<T>& v) {
    return {v.begin(), v.end()};
}

// Fast path in float (1 and 3 threads) against the reference loop in double on the same values.
template <class Spec, std::size_t L, std::size_t I, bool IsLstm>
void check_against_reference(const char* name) {
    using Bound = typename Spec::template bind<shape<L, I>>;
    constexpr std::size_t batch = 5, H = Spec::hidden;
    counter_rng rng(42, 7);
    const auto p = random_values<float>(Bound::param_size, rng, 0.4);
    const auto x = random_values<float>(batch * L * I, rng, 1.0);
    const auto g = random_values<float>(batch * Bound::output::size, rng, 1.0);
    const bool reverse = Spec::direction == rnn_direction::reverse, last = Spec::output_kind == rnn_output::last;
    const bool hard = Spec::gates_activation == gate_activation::hard_sigmoid;
    bool before = false;
    if constexpr (!IsLstm) before = Spec::reset == reset_gate::before;
    const auto want = IsLstm ? reference_lstm(widen(p), widen(x), widen(g), batch, L, I, H, reverse, last, hard)
                             : reference_gru(widen(p), widen(x), widen(g), batch, L, I, H, reverse, last, hard, before);
    const auto one = run_layer<Bound, float>(p, x, g, batch, 1);
    const auto three = run_layer<Bound, float>(p, x, g, batch, 3);
    const testing::tolerance tol{.rtol = 2e-4, .atol = 2e-5};
    for (const auto& [got, ref, what] :
         {std::tuple{&one.out, &want.out, "output"}, std::tuple{&one.dx, &want.dx, "input gradient"},
          std::tuple{&one.dp, &want.dp, "parameter gradient"}}) {
        const auto w = widen(*got);
        const auto c = testing::compare(std::span<const double>(w), std::span<const double>(*ref), tol,
                                        std::string(name) + " " + what + " (fast float vs reference loop)");
        INFO(c.message());
        CHECK(c.ok);
    }
    // On the CPU the batch is split into one share per thread: the same bits for the same thread count (helix's
    // determinism), and within rounding of one thread.
    const auto again = run_layer<Bound, float>(p, x, g, batch, 3);
    CHECK(again.out == three.out);
    CHECK(again.dx == three.dx);
    CHECK(again.dp == three.dp);
    for (const auto& [a, b, what] : {std::tuple{&one.out, &three.out, "output"}, std::tuple{&one.dx, &three.dx, "input gradient"},
                                     std::tuple{&one.dp, &three.dp, "parameter gradient"}}) {
        const auto c = testing::compare(std::span<const float>(*b), std::span<const float>(*a), {1e-5, 1e-6},
                                        std::string(name) + " " + what + " (3 threads vs 1)");
        INFO(c.message());
        CHECK(c.ok);
    }
}

}  // namespace

TEST_CASE("lstm gradients: both outputs, both directions, in a seq") {
    check<lstm<3>, shape<5, 2>>("lstm sequence");
    check<lstm<3, last_out>, shape<6, 3>>("lstm last");
    check<lstm<4, seq_out, rev>, shape<5, 2>>("lstm sequence, reverse");
    check<lstm<2, last_out, rev>, shape<4, 3>>("lstm last, reverse", {}, batch_of(3));
    check<lstm<3>, shape<1, 2>>("lstm over one position");
    check<seq<lstm<3>, lstm<2, last_out>, dense<2>>, shape<5, 2>>("stacked lstm, then dense");
}

TEST_CASE("gru gradients: both outputs, both directions, in a seq") {
    check<gru<3>, shape<5, 2>>("gru sequence");
    check<gru<3, last_out>, shape<6, 3>>("gru last");
    check<gru<4, seq_out, rev>, shape<5, 2>>("gru sequence, reverse");
    check<gru<2, last_out, rev>, shape<4, 3>>("gru last, reverse", {}, batch_of(3));
    check<gru<3>, shape<1, 2>>("gru over one position");
    check<seq<gru<3>, gru<2, last_out>, dense<2>>, shape<5, 2>>("stacked gru, then dense");
}

TEST_CASE("bidirectional gradients, lstm and gru, both outputs") {
    check<bidirectional<lstm<3>>, shape<5, 2>>("bidirectional lstm sequence");
    check<bidirectional<lstm<3, last_out>>, shape<5, 2>>("bidirectional lstm last");
    check<bidirectional<gru<3>>, shape<5, 2>>("bidirectional gru sequence");
    check<bidirectional<gru<2, last_out>>, shape<4, 3>>("bidirectional gru last");
    check<seq<bidirectional<lstm<3>>, bidirectional<gru<2, last_out>>, dense<1>>, shape<5, 2>>(
        "bidirectional lstm, bidirectional gru, dense");
}

TEST_CASE("Keras forms' gradients: gru hard_sigmoid, reset before, both; lstm hard_sigmoid; bidirectional") {
    check<gru<3, seq_out, fwd, hard>, shape<5, 2>>("gru hard_sigmoid sequence");
    check<gru<3, last_out, rev, hard>, shape<6, 3>>("gru hard_sigmoid last, reverse");
    check<gru<3, seq_out, fwd, sig, before>, shape<5, 2>>("gru reset before, sequence");
    check<gru<4, last_out, fwd, sig, before>, shape<6, 3>>("gru reset before, last");
    check<gru<3, seq_out, rev, sig, before>, shape<5, 2>>("gru reset before, sequence, reverse");
    check<gru<3, seq_out, fwd, hard, before>, shape<5, 2>>("gru hard_sigmoid, reset before");
    check<gru<2, last_out, rev, hard, before>, shape<4, 3>>("gru hard_sigmoid, reset before, last, reverse", {},
                                                            batch_of(3));
    check<gru<3, seq_out, fwd, hard, before>, shape<1, 2>>("gru hard_sigmoid, reset before, one position");
    check<lstm<3, seq_out, fwd, hard>, shape<5, 2>>("lstm hard_sigmoid sequence");
    check<lstm<3, last_out, rev, hard>, shape<6, 3>>("lstm hard_sigmoid last, reverse");
    check<bidirectional<gru<3, seq_out, fwd, hard, before>>, shape<5, 2>>("bidirectional Keras gru sequence");
    check<bidirectional<gru<2, last_out, fwd, sig, before>>, shape<4, 3>>("bidirectional gru reset before, last");
    check<bidirectional<lstm<3, seq_out, fwd, hard>>, shape<5, 2>>("bidirectional lstm hard_sigmoid");
    check<seq<bidirectional<gru<3, seq_out, fwd, hard, before>>, gru<2, last_out, fwd, hard>, dense<1>>, shape<5, 2>>(
        "bidirectional Keras gru, gru hard_sigmoid, dense");
}

TEST_CASE("lstm fast path matches a plain per-sample loop (float, 1 and 3 threads)") {
    check_against_reference<lstm<4>, 7, 5, true>("lstm sequence");
    check_against_reference<lstm<4, last_out>, 7, 5, true>("lstm last");
    check_against_reference<lstm<6, seq_out, rev>, 9, 3, true>("lstm sequence reverse");
    check_against_reference<lstm<3, last_out, rev>, 8, 4, true>("lstm last reverse");
    check_against_reference<lstm<16>, 12, 8, true>("lstm sequence, wider");
}

TEST_CASE("gru fast path matches a plain per-sample loop (float, 1 and 3 threads)") {
    check_against_reference<gru<4>, 7, 5, false>("gru sequence");
    check_against_reference<gru<4, last_out>, 7, 5, false>("gru last");
    check_against_reference<gru<6, seq_out, rev>, 9, 3, false>("gru sequence reverse");
    check_against_reference<gru<3, last_out, rev>, 8, 4, false>("gru last reverse");
    check_against_reference<gru<16>, 12, 8, false>("gru sequence, wider");
}

TEST_CASE("Keras forms' fast path matches the plain loop (float, 1 and 3 threads)") {
    check_against_reference<gru<4, seq_out, fwd, hard>, 7, 5, false>("gru hard_sigmoid sequence");
    check_against_reference<gru<4, seq_out, fwd, sig, before>, 7, 5, false>("gru reset before sequence");
    check_against_reference<gru<4, last_out, fwd, sig, before>, 7, 5, false>("gru reset before last");
    check_against_reference<gru<6, seq_out, rev, hard, before>, 9, 3, false>("gru hard, reset before, reverse");
    check_against_reference<gru<3, last_out, rev, hard, before>, 8, 4, false>("gru hard, reset before, last reverse");
    check_against_reference<gru<16, seq_out, fwd, hard, before>, 12, 8, false>("gru hard, reset before, wider");
    check_against_reference<lstm<4, seq_out, fwd, hard>, 7, 5, true>("lstm hard_sigmoid sequence");
    check_against_reference<lstm<3, last_out, rev, hard>, 8, 4, true>("lstm hard_sigmoid last reverse");
    check_against_reference<lstm<16, seq_out, fwd, hard>, 12, 8, true>("lstm hard_sigmoid, wider");
}

TEST_CASE("hard_sigmoid: clip(0.2 x + 0.5, 0, 1), slope 0.2 strictly inside (-2.5, 2.5)") {
    using kernels::rnn_gate;
    using kernels::rnn_gate_grad;
    CHECK(rnn_gate<hard>(0.0) == 0.5);
    CHECK(rnn_gate<hard>(1.0) == 0.2 * 1.0 + 0.5);
    CHECK(rnn_gate<hard>(-2.5) == 0.0);
    CHECK(rnn_gate<hard>(2.5) == 1.0);
    CHECK(rnn_gate<hard>(-7.0f) == 0.0f);
    CHECK(rnn_gate<hard>(30.0f) == 1.0f);
    CHECK(std::isnan(rnn_gate<hard>(std::nan(""))));
    CHECK(rnn_gate_grad<hard>(3.0, rnn_gate<hard>(2.4)) == 3.0 * 0.2);
    CHECK(rnn_gate_grad<hard>(3.0, rnn_gate<hard>(-2.4)) == 3.0 * 0.2);
    CHECK(rnn_gate_grad<hard>(3.0, rnn_gate<hard>(2.5)) == 0.0);
    CHECK(rnn_gate_grad<hard>(3.0, rnn_gate<hard>(-2.5)) == 0.0);
    CHECK(rnn_gate_grad<hard>(3.0, rnn_gate<hard>(4.0)) == 0.0);
    // The sigmoid path is the layers' old expression, rounding included.
    const double y = rnn_gate<sig>(0.3);
    CHECK(rnn_gate_grad<sig>(1.7, y) == 1.7 * y * (1 - y));
}

TEST_CASE("Keras gru form: one bias of 3H, Keras' parameter count, the options kept by reversed and bidirectional") {
    using keras_gru = gru<50, seq_out, fwd, hard, before>;
    static_assert(std::is_same_v<keras_gru::reversed, gru<50, seq_out, rev, hard, before>>);
    static_assert(std::is_same_v<keras_gru::reversed::reversed, keras_gru>);
    static_assert(std::is_same_v<lstm<8, last_out, fwd, hard>::reversed, lstm<8, last_out, rev, hard>>);
    static_assert(std::is_same_v<gru<8>::reversed, gru<8, seq_out, rev>>);  // the defaults are today's layer
    // EPIVAN's Bidirectional(GRU(50)) on 64 channels: 3 * 50 * (64 + 50 + 1) = 17,250 per direction (Keras' count).
    static_assert(keras_gru::bind<shape<246, 64>>::param_size == 17250);
    static_assert(bidirectional<keras_gru>::bind<shape<246, 64>>::param_size == 2 * 17250);
    static_assert(gru<50>::bind<shape<246, 64>>::param_size == 17250 + 150);  // PyTorch's two biases
    static_assert(gru<50, seq_out, fwd, hard>::bind<shape<246, 64>>::param_size == 17400);
    static_assert(keras_gru::bind<shape<246, 64>>::cache_size == 246 * 6 * 50 + 50);
    static_assert(gru<50>::bind<shape<246, 64>>::cache_size == 246 * 7 * 50 + 50);

    const auto net = make_network<shape<5, 3>>(bidirectional{gru<4, seq_out, fwd, hard, before>{}});
    const std::vector<std::string> names = {"forward.weight_ih", "forward.weight_hh", "forward.bias",
                                            "backward.weight_ih", "backward.weight_hh", "backward.bias"};
    REQUIRE(net.parameter_info().size() == names.size());
    for (std::size_t k = 0; k < names.size(); ++k) {
        const auto& p = net.parameter_info()[k];
        CHECK(p.name == names[k]);
        if (k % 3 == 0) CHECK(p.dims == std::vector<std::size_t>{12, 3});
        if (k % 3 == 1) CHECK(p.dims == std::vector<std::size_t>{12, 4});
        if (k % 3 == 2) CHECK(p.dims == std::vector<std::size_t>{12});
    }
    CHECK(net.parameters().size() == 2 * (12 * 3 + 12 * 4 + 12));
}

namespace {
// The reverse direction on x equals the forward direction on x reversed in time (outputs re-reversed).
template <template <std::size_t, rnn_output, rnn_direction> class RNN>
void check_reverse_is_flipped_forward() {
    constexpr std::size_t L = 6, I = 3, H = 4, batch = 2;
    using fwd_seq = typename RNN<H, seq_out, rnn_direction::forward>::template bind<shape<L, I>>;
    using rev_seq = typename RNN<H, seq_out, rev>::template bind<shape<L, I>>;
    using fwd_last = typename RNN<H, last_out, rnn_direction::forward>::template bind<shape<L, I>>;
    using rev_last = typename RNN<H, last_out, rev>::template bind<shape<L, I>>;
    counter_rng rng(5, 1);
    const auto p = random_values<double>(fwd_seq::param_size, rng, 0.5);
    const auto x = random_values<double>(batch * L * I, rng, 1.0);
    std::vector<double> flipped(x.size());
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t t = 0; t < L; ++t)
            for (std::size_t i = 0; i < I; ++i) flipped[(b * L + t) * I + i] = x[(b * L + (L - 1 - t)) * I + i];
    const std::vector<double> g_seq(batch * L * H, 1.0), g_last(batch * H, 1.0);
    const auto a = run_layer<rev_seq, double>(p, x, g_seq, batch, 1);
    const auto b = run_layer<fwd_seq, double>(p, flipped, g_seq, batch, 1);
    double worst = 0;
    for (std::size_t s = 0; s < batch; ++s)
        for (std::size_t t = 0; t < L; ++t)
            for (std::size_t j = 0; j < H; ++j)
                worst = std::max(worst, std::abs(a.out[(s * L + t) * H + j] - b.out[(s * L + (L - 1 - t)) * H + j]));
    CHECK(worst < 1e-12);
    const auto c = run_layer<rev_last, double>(p, x, g_last, batch, 1);
    const auto d = run_layer<fwd_last, double>(p, flipped, g_last, batch, 1);
    worst = 0;
    for (std::size_t i = 0; i < c.out.size(); ++i) worst = std::max(worst, std::abs(c.out[i] - d.out[i]));
    CHECK(worst < 1e-12);
    // `last` is the sequence output at the position read last: L-1 forward, 0 in reverse.
    for (std::size_t s = 0; s < batch; ++s)
        for (std::size_t j = 0; j < H; ++j) CHECK(std::abs(c.out[s * H + j] - a.out[(s * L + 0) * H + j]) < 1e-12);
}
}  // namespace

template <std::size_t H, rnn_output O, rnn_direction D>
using keras_gru = gru<H, O, D, gate_activation::hard_sigmoid, reset_gate::before>;
template <std::size_t H, rnn_output O, rnn_direction D>
using hard_lstm = lstm<H, O, D, gate_activation::hard_sigmoid>;

TEST_CASE("the reverse direction is the forward one run on the reversed sequence") {
    check_reverse_is_flipped_forward<lstm>();
    check_reverse_is_flipped_forward<gru>();
    check_reverse_is_flipped_forward<keras_gru>();
    check_reverse_is_flipped_forward<hard_lstm>();
}

TEST_CASE("bidirectional: [forward | backward] on channels, PyTorch names, PyTorch initialisation, inspection") {
    constexpr std::size_t L = 5, I = 3, H = 8;
    using model = bidirectional<lstm<H>>;
    network<shape<L, I>, model, double> net;
    const std::vector<std::string> names = {"forward.weight_ih",  "forward.weight_hh",  "forward.bias_ih",
                                            "forward.bias_hh",    "backward.weight_ih", "backward.weight_hh",
                                            "backward.bias_ih",   "backward.bias_hh"};
    REQUIRE(net.parameter_info().size() == names.size());
    for (std::size_t k = 0; k < names.size(); ++k) {
        const auto& p = net.parameter_info()[k];
        CHECK(p.name == names[k]);
        const std::size_t rows = 4 * H, cols = k % 4 == 0 ? I : H;
        if (k % 4 < 2) CHECK(p.dims == std::vector<std::size_t>{rows, cols});
        else CHECK(p.dims == std::vector<std::size_t>{rows});
        CHECK(p.fan_in == H);
    }

    // init::fan_in_uniform is PyTorch's reset_parameters: every tensor U(-1/sqrt(H), 1/sqrt(H)).
    net.init(3, init::fan_in_uniform{});
    const double bound = 1.0 / std::sqrt(double(H));
    for (const auto& p : net.parameter_info()) {
        double largest = 0, sum = 0;
        for (std::size_t i = 0; i < p.size; ++i) {
            const double v = net.parameters()[p.offset + i];
            largest = std::max(largest, std::abs(v));
            sum += v;
        }
        INFO(p.name << ": largest |value| " << largest << ", bound " << bound);
        CHECK(largest <= bound);
        CHECK(largest > 0.8 * bound);  // spread over the whole interval (biases too, as in PyTorch)
        CHECK(std::abs(sum / double(p.size)) < 0.25 * bound);
    }

    // Forward half = lstm<H> with the first parameters; backward half = the reversed lstm with the second.
    constexpr std::size_t batch = 3;
    counter_rng rng(9, 9);
    const auto xv = random_values<double>(batch * L * I, rng, 1.0);
    tensor<double, shape<L, I>> x(batch);
    std::copy(xv.begin(), xv.end(), x.data());
    cpu_context ctx(1);
    const auto out = net.forward(ctx, x.cview());
    using half = lstm<H>::bind<shape<L, I>>;
    const std::vector<double> p(net.parameters().begin(), net.parameters().end());
    const std::vector<double> p_fwd(p.begin(), p.begin() + half::param_size), p_bwd(p.begin() + half::param_size, p.end());
    const std::vector<double> g(batch * L * H, 0.0);
    const auto f = run_layer<half, double>(p_fwd, xv, g, batch, 1);
    const auto b = run_layer<lstm<H, seq_out, rev>::bind<shape<L, I>>, double>(p_bwd, xv, g, batch, 1);
    for (std::size_t s = 0; s < batch; ++s)
        for (std::size_t t = 0; t < L; ++t)
            for (std::size_t j = 0; j < H; ++j) {
                CHECK(out(s, t, j) == f.out[(s * L + t) * H + j]);
                CHECK(out(s, t, H + j) == b.out[(s * L + t) * H + j]);
            }

    // Inspection: the directions are the parts "forward" and "backward", their outputs the two halves.
    const auto paths = layer_paths(net);
    REQUIRE(paths.size() == 3);
    CHECK(paths[1].path == "forward");
    CHECK(paths[2].path == "backward");
    CHECK(paths[2].output == "<5, 8>");
    const auto backward_ref = find<"backward">(net);
    CHECK(backward_ref.output(1, 2, 3) == out(1, 2, H + 3));
    CHECK(backward_ref.params == net.parameters().data() + half::param_size);
    const auto forward_ref = find<"forward">(net);
    CHECK(forward_ref.output(2, 4, 0) == out(2, 4, 0));
}

TEST_CASE("bidirectional last: [forward h at L-1 | backward h at position 0]") {
    constexpr std::size_t L = 4, I = 2, H = 3, batch = 2;
    network<shape<L, I>, bidirectional<gru<H, last_out>>, double> last_net;
    network<shape<L, I>, bidirectional<gru<H>>, double> seq_net;
    last_net.init(1, init::fan_in_uniform{});
    std::copy(last_net.parameters().begin(), last_net.parameters().end(), seq_net.parameters().begin());
    tensor<double, shape<L, I>> x(batch);
    counter_rng rng(2, 2);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = rng.next_normal();
    cpu_context ctx(1);
    const auto last = last_net.forward(ctx, x.cview());
    const auto all = seq_net.forward(ctx, x.cview());
    for (std::size_t s = 0; s < batch; ++s)
        for (std::size_t j = 0; j < H; ++j) {
            CHECK(std::abs(last(s, j) - all(s, L - 1, j)) < 1e-14);
            CHECK(std::abs(last(s, H + j) - all(s, 0, H + j)) < 1e-14);
        }
}

namespace {
// Sequences of L symbols (one-hot over 4); the label says whether the pattern 0, 1, 2 occurs somewhere. Positives
// get it at a random position, negatives are redrawn until they have none: balanced, order matters.
template <std::size_t L>
void make_pattern_data(std::size_t n, counter_rng& rng, tensor<float, shape<L, 4>>& x, tensor<float, shape<1>>& y) {
    x.resize(n);
    y.resize(n);
    const auto has_pattern = [](const std::vector<std::size_t>& s) {
        for (std::size_t t = 0; t + 2 < s.size(); ++t)
            if (s[t] == 0 && s[t + 1] == 1 && s[t + 2] == 2) return true;
        return false;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const bool positive = i % 2 == 0;
        std::vector<std::size_t> s(L);
        do {
            for (auto& v : s) v = std::min<std::size_t>(3, std::size_t(rng.next_uniform() * 4));
            if (positive) {
                const std::size_t at = std::min<std::size_t>(L - 3, std::size_t(rng.next_uniform() * (L - 2)));
                s[at] = 0, s[at + 1] = 1, s[at + 2] = 2;
            }
        } while (has_pattern(s) != positive);
        for (std::size_t t = 0; t < L; ++t) x(i, t, s[t]) = 1.0f;
        y[i] = positive ? 1.0f : 0.0f;
    }
}
}  // namespace

TEST_CASE("a bidirectional lstm<8, last> + dense learns to find a pattern (adam)") {
    constexpr std::size_t L = 14, batch = 32, train_n = 512, test_n = 256;
    auto net = make_network<shape<L, 4>>(seq{bidirectional{lstm<8, last_out>{}}, dense<1>{}});
    net.init(11, init::fan_in_uniform{});
    counter_rng rng(2024, 3);
    tensor<float, shape<L, 4>> x_train, x_test;
    tensor<float, shape<1>> y_train, y_test;
    make_pattern_data<L>(train_n, rng, x_train, y_train);
    make_pattern_data<L>(test_n, rng, x_test, y_test);

    cpu_context ctx(1);
    adam<float> opt(0.02f);
    const auto accuracy = [&]() {
        ctx.training = false;
        const auto out = net.forward(ctx, x_test.cview());
        std::size_t right = 0;
        for (std::size_t i = 0; i < test_n; ++i) right += (out[i] > 0) == (y_test[i] > 0.5f);
        return double(right) / double(test_n);
    };
    const double before = accuracy();
    float loss = 0;
    for (int epoch = 0; epoch < 40; ++epoch) {
        ctx.training = true;
        loss = 0;
        for (std::size_t first = 0; first < train_n; first += batch) {
            const tensor_view<const float, shape<L, 4>> xb(x_train.data() + first * L * 4, batch);
            const tensor_view<const float, shape<1>> yb(y_train.data() + first, batch);
            const auto out = net.forward(ctx, xb);
            loss += bce_with_logits(tensor_view<const float, shape<1>>(out), yb, out.gradient);
            net.zero_grad();
            net.backward(ctx, xb);
            opt.step(net);
        }
    }
    const double after = accuracy();
    INFO("test accuracy before " << before << ", after " << after << "; last epoch's mean loss "
                                 << loss / float(train_n / batch));
    CHECK(after >= 0.85);
    CHECK(after > before + 0.2);
}

TEST_CASE("the step kernels' tanh (through expm1) agrees with std::tanh in float and double") {
    double worst_float = 0, worst_double = 0;
    for (double v = -25; v <= 25; v += 1.0 / 1024) {
        for (const double x : {v, v * 1e-6}) {
            const double rf = std::tanh(double(float(x))), rd = std::tanh(x);
            const double ef = std::abs(double(kernels::rnn_tanh(float(x))) - rf) / std::max(std::abs(rf), 1e-30);
            const double ed = std::abs(kernels::rnn_tanh(x) - rd) / std::max(std::abs(rd), 1e-300);
            if (rf != 0) worst_float = std::max(worst_float, ef);
            if (rd != 0) worst_double = std::max(worst_double, ed);
        }
    }
    INFO("worst relative error: float " << worst_float << ", double " << worst_double);
    CHECK(worst_float < 3e-7);
    CHECK(worst_double < 1e-15);
    CHECK(kernels::rnn_tanh(1e4f) == 1.0f);
    CHECK(kernels::rnn_tanh(-1e300) == -1.0);
    CHECK(kernels::rnn_tanh(0.0) == 0.0);
    CHECK(std::isnan(kernels::rnn_tanh(std::nan(""))));
}
