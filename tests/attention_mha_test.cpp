// The device-generic attention layers (layers/attention/): multi_head_attention and attention_pooling.
//   - finite-difference gradient checks in double of every variant (self, cross either way, HeadDim, one head,
//     training-mode dropout on the attention weights; pooling with one and several rows)
//   - the fast path (products over the batch, batched per head) against plain loops, forward and backward, in float
//   - attention weights: rows sum to 1, mean_attention is the mean of the heads, weights before dropout
//   - dropout: drawn as helix::dropout draws, deterministic (seed, thread count, batch split), off in eval mode
//   - projections::bare: gradients, the same bits as full with zero biases and an identity output projection, names
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "helix/layers/attention/attention_pooling.hpp"
#include "helix/layers/attention/multi_head_attention.hpp"
#include "helix/layers/dropout.hpp"
#include "helix/nn/inspect.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "helix/testing/gradient_check.hpp"

using namespace helix;

namespace {

template <class Spec, io_type In>
void check(const char* name, const Spec& spec = Spec{}, bool training = false) {
    const typename Spec::template bind<In> layer(spec);
    testing::gradient_check_options opt;
    opt.training = training;
    opt.batch = 3;
    const auto report = testing::check_gradients(layer, opt);
    INFO(name << " on " << In::str() << (training ? " (training)" : "") << "\n" << report.message());
    CHECK(report.ok());
    CHECK(report.input.count > 0);
    CHECK(report.params.count > 0);
}

using pair_4_6 = pair_of<shape<4, 8>, shape<6, 8>>;

std::vector<float> random_values(std::size_t n, std::uint64_t seed, double scale = 1.0) {
    counter_rng rng(seed, 3);
    std::vector<float> v(n);
    for (auto& x : v) x = float(scale * (2 * rng.next_uniform() - 1));
    return v;
}

// ---- plain reference loops ----------------------------------------------------------------------------------------

// multi-head attention on xq [B, Lq, C], xkv [B, Lk, C] in double; mask [B, H, Lq, Lk] (empty: no dropout).
// Given g = dL/dy, fills dxq, dxkv and adds into dp (the packed parameters' gradient).
struct mha_reference {
    std::size_t B, Lq, Lk, C, H, D;
    std::vector<double> y, att, dxq, dxkv, dp;

    void run(const std::vector<float>& p, const float* xq, const float* xkv, const std::vector<double>& mask,
             const std::vector<float>& g) {
        const std::size_t E = H * D;
        const double s = 1.0 / std::sqrt(double(D));
        const float* wi = p.data();
        const float* bi = wi + 3 * E * C;
        const float* wo = bi + 3 * E;
        const float* bo = wo + C * E;
        std::vector<double> q(B * Lq * E), k(B * Lk * E), v(B * Lk * E), o(B * Lq * E, 0.0);
        att.assign(B * H * Lq * Lk, 0.0);
        y.assign(B * Lq * C, 0.0);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t e = 0; e < E; ++e) {
                for (std::size_t i = 0; i < Lq; ++i) {
                    double a = bi[e];
                    for (std::size_t c = 0; c < C; ++c) a += double(xq[(b * Lq + i) * C + c]) * wi[e * C + c];
                    q[(b * Lq + i) * E + e] = a;
                }
                for (std::size_t j = 0; j < Lk; ++j) {
                    double ak = bi[E + e], av = bi[2 * E + e];
                    for (std::size_t c = 0; c < C; ++c) {
                        ak += double(xkv[(b * Lk + j) * C + c]) * wi[(E + e) * C + c];
                        av += double(xkv[(b * Lk + j) * C + c]) * wi[(2 * E + e) * C + c];
                    }
                    k[(b * Lk + j) * E + e] = ak;
                    v[(b * Lk + j) * E + e] = av;
                }
            }
        const auto A = [&](std::size_t b, std::size_t h, std::size_t i, std::size_t j) -> double& {
            return att[((b * H + h) * Lq + i) * Lk + j];
        };
        const auto M = [&](std::size_t b, std::size_t h, std::size_t i, std::size_t j) {
            return mask.empty() ? 1.0 : mask[((b * H + h) * Lq + i) * Lk + j];
        };
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t h = 0; h < H; ++h)
                for (std::size_t i = 0; i < Lq; ++i) {
                    double top = -1e300, sum = 0;
                    for (std::size_t j = 0; j < Lk; ++j) {
                        double d = 0;
                        for (std::size_t t = 0; t < D; ++t)
                            d += q[(b * Lq + i) * E + h * D + t] * k[(b * Lk + j) * E + h * D + t];
                        A(b, h, i, j) = s * d;
                        top = std::max(top, s * d);
                    }
                    for (std::size_t j = 0; j < Lk; ++j) sum += (A(b, h, i, j) = std::exp(A(b, h, i, j) - top));
                    for (std::size_t j = 0; j < Lk; ++j) A(b, h, i, j) /= sum;
                    for (std::size_t t = 0; t < D; ++t) {
                        double a = 0;
                        for (std::size_t j = 0; j < Lk; ++j)
                            a += A(b, h, i, j) * M(b, h, i, j) * v[(b * Lk + j) * E + h * D + t];
                        o[(b * Lq + i) * E + h * D + t] = a;
                    }
                }
        for (std::size_t r = 0; r < B * Lq; ++r)
            for (std::size_t c = 0; c < C; ++c) {
                double a = bo[c];
                for (std::size_t e = 0; e < E; ++e) a += o[r * E + e] * wo[c * E + e];
                y[r * C + c] = a;
            }
        // backward
        dp.assign(p.size(), 0.0);
        double* dwi = dp.data();
        double* dbi = dwi + 3 * E * C;
        double* dwo = dbi + 3 * E;
        double* dbo = dwo + C * E;
        std::vector<double> dO(B * Lq * E, 0.0), dq(q.size(), 0.0), dk(k.size(), 0.0), dv(v.size(), 0.0);
        for (std::size_t r = 0; r < B * Lq; ++r)
            for (std::size_t c = 0; c < C; ++c) {
                dbo[c] += g[r * C + c];
                for (std::size_t e = 0; e < E; ++e) {
                    dwo[c * E + e] += g[r * C + c] * o[r * E + e];
                    dO[r * E + e] += g[r * C + c] * wo[c * E + e];
                }
            }
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t h = 0; h < H; ++h)
                for (std::size_t i = 0; i < Lq; ++i) {
                    std::vector<double> da(Lk);
                    double dot = 0;
                    for (std::size_t j = 0; j < Lk; ++j) {
                        double d = 0;
                        for (std::size_t t = 0; t < D; ++t) {
                            d += dO[(b * Lq + i) * E + h * D + t] * v[(b * Lk + j) * E + h * D + t];
                            dv[(b * Lk + j) * E + h * D + t] +=
                                A(b, h, i, j) * M(b, h, i, j) * dO[(b * Lq + i) * E + h * D + t];
                        }
                        da[j] = d * M(b, h, i, j);
                        dot += da[j] * A(b, h, i, j);
                    }
                    for (std::size_t j = 0; j < Lk; ++j) {
                        const double ds = s * A(b, h, i, j) * (da[j] - dot);
                        for (std::size_t t = 0; t < D; ++t) {
                            dq[(b * Lq + i) * E + h * D + t] += ds * k[(b * Lk + j) * E + h * D + t];
                            dk[(b * Lk + j) * E + h * D + t] += ds * q[(b * Lq + i) * E + h * D + t];
                        }
                    }
                }
        dxq.assign(B * Lq * C, 0.0);
        dxkv.assign(B * Lk * C, 0.0);
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t e = 0; e < E; ++e) {
                for (std::size_t i = 0; i < Lq; ++i) {
                    const double d = dq[(b * Lq + i) * E + e];
                    dbi[e] += d;
                    for (std::size_t c = 0; c < C; ++c) {
                        dwi[e * C + c] += d * xq[(b * Lq + i) * C + c];
                        dxq[(b * Lq + i) * C + c] += d * wi[e * C + c];
                    }
                }
                for (std::size_t j = 0; j < Lk; ++j) {
                    const double d1 = dk[(b * Lk + j) * E + e], d2 = dv[(b * Lk + j) * E + e];
                    dbi[E + e] += d1;
                    dbi[2 * E + e] += d2;
                    for (std::size_t c = 0; c < C; ++c) {
                        const double x = xkv[(b * Lk + j) * C + c];
                        dwi[(E + e) * C + c] += d1 * x;
                        dwi[(2 * E + e) * C + c] += d2 * x;
                        dxkv[(b * Lk + j) * C + c] += d1 * wi[(E + e) * C + c] + d2 * wi[(2 * E + e) * C + c];
                    }
                }
            }
    }
};

template <class A, class E>
void check_close(const A& actual, const E& expected, const std::string& what, testing::tolerance tol = {2e-4, 2e-5}) {
    const auto c =
        testing::compare(std::span<const typename A::value_type>(actual.data(), actual.size()),
                         std::span<const typename E::value_type>(expected.data(), expected.size()), tol, what);
    INFO(c.message());
    CHECK(c.ok);
}

// Runs layer L (float, 4 threads) and the reference on random data; compares output, weights and every gradient.
template <class Spec, io_type In>
void fast_vs_reference(const Spec& spec, bool training, bool first_asks = true) {
    using L = typename Spec::template bind<In>;
    const L layer(spec);
    constexpr std::size_t B = 3;
    const auto p = random_values(L::param_size, 11, 0.5);
    const auto x = random_values(B * io_size<In>, 12);
    const auto g = random_values(B * L::output::size, 13);
    std::vector<float> out(g.size()), cache(B * L::cache_size), dx(x.size(), 7.0f), dp(p.size(), 0.0f);
    cpu_context ctx(4, 5);
    ctx.training = training;
    layer.template forward<float>(ctx, p.data(), view_at<In, const float>(x.data(), B),
                                  view_at<typename L::output, float>(out.data(), B), cache.data());
    layer.template backward<float>(ctx, p.data(), dp.data(), view_at<In, const float>(x.data(), B),
                                   view_at<typename L::output, const float>(out.data(), B),
                                   view_at<typename L::output, const float>(g.data(), B),
                                   view_at<In, float>(dx.data(), B), cache.data());
    // the reference draws its own mask by the rule: draw k of the batch's block from the generator, kept when > rate
    std::vector<double> mask;
    if (training && spec.dropout > 0) {
        counter_rng rng(5);
        const std::uint64_t first = rng.reserve(B * L::attention_size);
        mask.resize(B * L::attention_size);
        for (std::size_t i = 0; i < mask.size(); ++i)
            mask[i] = rng.uniform(first + i) > spec.dropout ? 1.0 / (1.0 - double(float(spec.dropout))) : 0.0;
    }
    mha_reference ref{B, L::query_length, L::key_length, L::channels, L::heads, L::head_dim, {}, {}, {}, {}, {}};
    const float *xq = x.data(), *xkv = x.data();
    if constexpr (!L::self_attention) {
        const float* second = x.data() + B * In::first_type::size;
        xq = first_asks ? x.data() : second;
        xkv = first_asks ? second : x.data();
    }
    ref.run(p, xq, xkv, mask, g);
    check_close(out, ref.y, "output");
    std::vector<float> att;
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t h = 0; h < L::heads; ++h) {
            const auto a = L::attention(static_cast<const float*>(cache.data()), B, b, h);
            att.insert(att.end(), a.data(), a.data() + a.size());
        }
    check_close(att, ref.att, "attention weights");
    check_close(dp, ref.dp, "parameter gradients");
    if constexpr (L::self_attention) {
        std::vector<double> sum(ref.dxq.size());
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] = ref.dxq[i] + ref.dxkv[i];
        check_close(dx, sum, "input gradient");
    } else {
        std::vector<double> both;
        const auto& a = first_asks ? ref.dxq : ref.dxkv;
        const auto& b = first_asks ? ref.dxkv : ref.dxq;
        both.insert(both.end(), a.begin(), a.end());
        both.insert(both.end(), b.begin(), b.end());
        check_close(dx, both, "input gradients (both halves)");
    }
}

// attention pooling by loops: forward and backward in double.
template <std::size_t Dim, std::size_t Rows, std::size_t Len, std::size_t C>
void pooling_vs_reference() {
    using L = typename attention_pooling<Dim, Rows>::template bind<shape<Len, C>>;
    const L layer{};
    constexpr std::size_t B = 4;
    const auto p = random_values(L::param_size, 21, 0.7);
    const auto x = random_values(B * Len * C, 22);
    const auto g = random_values(B * Rows * C, 23);
    std::vector<float> out(g.size()), cache(B * L::cache_size), dx(x.size(), 3.0f), dp(p.size(), 0.0f);
    cpu_context ctx(4);
    layer.template forward<float>(ctx, p.data(), view_at<shape<Len, C>, const float>(x.data(), B),
                                  view_at<typename L::output, float>(out.data(), B), cache.data());
    layer.template backward<float>(ctx, p.data(), dp.data(), view_at<shape<Len, C>, const float>(x.data(), B),
                                   view_at<typename L::output, const float>(out.data(), B),
                                   view_at<typename L::output, const float>(g.data(), B),
                                   view_at<shape<Len, C>, float>(dx.data(), B), cache.data());
    const float* W = p.data();
    const float* bias = W + C * Dim;
    const float* u = bias + Dim;
    std::vector<double> y(B * Rows * C, 0.0), att(B * Rows * Len), rdx(x.size(), 0.0), rdp(p.size(), 0.0);
    for (std::size_t b = 0; b < B; ++b) {
        std::vector<double> U(Len * Dim), S(Len * Rows);
        for (std::size_t l = 0; l < Len; ++l)
            for (std::size_t d = 0; d < Dim; ++d) {
                double z = bias[d];
                for (std::size_t c = 0; c < C; ++c) z += double(x[(b * Len + l) * C + c]) * W[c * Dim + d];
                U[l * Dim + d] = std::tanh(z);
            }
        for (std::size_t r = 0; r < Rows; ++r) {
            double top = -1e300, sum = 0;
            for (std::size_t l = 0; l < Len; ++l) {
                double s = 0;
                for (std::size_t d = 0; d < Dim; ++d) s += U[l * Dim + d] * u[d * Rows + r];
                S[l * Rows + r] = s;
                top = std::max(top, s);
            }
            double* a = &att[(b * Rows + r) * Len];
            for (std::size_t l = 0; l < Len; ++l) sum += (a[l] = std::exp(S[l * Rows + r] - top));
            for (std::size_t l = 0; l < Len; ++l) a[l] /= sum;
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t l = 0; l < Len; ++l) y[(b * Rows + r) * C + c] += a[l] * x[(b * Len + l) * C + c];
            // backward of row r
            std::vector<double> da(Len, 0.0);
            double dot = 0;
            for (std::size_t l = 0; l < Len; ++l) {
                for (std::size_t c = 0; c < C; ++c) {
                    da[l] += g[(b * Rows + r) * C + c] * x[(b * Len + l) * C + c];
                    rdx[(b * Len + l) * C + c] += a[l] * g[(b * Rows + r) * C + c];
                }
                dot += a[l] * da[l];
            }
            for (std::size_t l = 0; l < Len; ++l) {
                const double ds = a[l] * (da[l] - dot);
                for (std::size_t d = 0; d < Dim; ++d) {
                    rdp[C * Dim + Dim + d * Rows + r] += ds * U[l * Dim + d];
                    const double dz = ds * u[d * Rows + r] * (1 - U[l * Dim + d] * U[l * Dim + d]);
                    rdp[C * Dim + d] += dz;
                    for (std::size_t c = 0; c < C; ++c) {
                        rdp[c * Dim + d] += dz * x[(b * Len + l) * C + c];
                        rdx[(b * Len + l) * C + c] += dz * W[c * Dim + d];
                    }
                }
            }
        }
    }
    check_close(out, y, "pooling output");
    std::vector<float> fast_att;
    for (std::size_t b = 0; b < B; ++b) {
        const auto a = L::attention(static_cast<const float*>(cache.data()), B, b);
        fast_att.insert(fast_att.end(), a.data(), a.data() + a.size());
    }
    check_close(fast_att, att, "pooling attention");
    check_close(dx, rdx, "pooling input gradient");
    check_close(dp, rdp, "pooling parameter gradients");
}

// Forward of a bound layer on a float batch; returns the output and leaves the cache in `cache`.
template <class L, class In = typename L::input>
std::vector<float> run_forward(const L& layer, cpu_context& ctx, const std::vector<float>& p,
                               const std::vector<float>& x, std::size_t batch, std::vector<float>& cache) {
    std::vector<float> out(batch * L::output::size);
    cache.assign(batch * L::cache_size, -1.0f);
    layer.template forward<float>(ctx, p.data(), view_at<In, const float>(x.data(), batch),
                                  view_at<typename L::output, float>(out.data(), batch), cache.data());
    return out;
}

}  // namespace

TEST_CASE("multi_head_attention gradients: self, cross either way, HeadDim, one head") {
    check<multi_head_attention<2>, shape<5, 8>>("self-attention, 2 heads");
    check<multi_head_attention<1>, shape<4, 6>>("self-attention, 1 head");
    check<multi_head_attention<4>, shape<3, 8>>("self-attention, 4 heads of 2");
    check<multi_head_attention<2, 0, queries::first>, pair_4_6>("cross-attention, first half asks");
    check<multi_head_attention<2, 0, queries::second>, pair_4_6>("cross-attention, second half asks");
    check<multi_head_attention<2, 3>, shape<5, 8>>("HeadDim 3 on 8 channels");
    check<multi_head_attention<3, 2, queries::second>, pair_of<shape<4, 5>, shape<3, 5>>>("HeadDim 2, 3 heads, cross");
}

TEST_CASE("multi_head_attention gradients with training-mode dropout on the attention weights") {
    check<multi_head_attention<2>, shape<5, 8>>("self-attention", multi_head_attention<2>{0.3f}, true);
    check<multi_head_attention<2, 0, queries::second>, pair_4_6>(
        "cross-attention", multi_head_attention<2, 0, queries::second>{0.25f}, true);
    check<multi_head_attention<2, 3>, shape<5, 8>>("HeadDim", multi_head_attention<2, 3>{0.4f}, true);
    // a rate set but evaluation mode: no dropout
    check<multi_head_attention<2>, shape<5, 8>>("eval with a rate", multi_head_attention<2>{0.5f}, false);
}

TEST_CASE("multi_head_attention projections::bare gradients: self, cross, HeadDim, dropout") {
    constexpr auto bare = projections::bare;
    check<multi_head_attention<2, 0, queries::first, bare>, shape<5, 8>>("bare self-attention, 2 heads");
    check<multi_head_attention<1, 0, queries::first, bare>, shape<4, 6>>("bare self-attention, 1 head");
    check<multi_head_attention<4, 2, queries::first, bare>, shape<3, 8>>("bare, HeadDim 2 x 4 heads = 8 channels");
    check<multi_head_attention<2, 0, queries::first, bare>, pair_4_6>("bare cross-attention, first half asks");
    check<multi_head_attention<2, 4, queries::second, bare>, pair_4_6>("bare cross, HeadDim, second half asks");
    using D = multi_head_attention<2, 0, queries::second, bare>;
    check<D, pair_4_6>("bare cross-attention", D{0.3f}, true);
}

// bare = full with zero biases and an identity output projection: the same bits (the extra products add exact zeros).
template <class In, std::size_t Heads, std::size_t HeadDim, queries Q>
void bare_equals_full(float rate, bool training) {
    using F = typename multi_head_attention<Heads, HeadDim, Q>::template bind<In>;
    using Bare = typename multi_head_attention<Heads, HeadDim, Q, projections::bare>::template bind<In>;
    static_assert(Bare::param_size == F::in_weight_size && Bare::cache_size < F::cache_size);
    constexpr std::size_t B = 3, C = F::channels;
    const auto w = random_values(Bare::param_size, 51, 0.5);
    std::vector<float> pf(F::param_size, 0.0f);
    std::copy(w.begin(), w.end(), pf.begin());
    for (std::size_t c = 0; c < C; ++c) pf[F::out_weight_offset + c * C + c] = 1.0f;
    const auto x = random_values(B * io_size<In>, 52);
    const auto g = random_values(B * F::output::size, 53);
    const auto run = [&](const auto& layer, const std::vector<float>& p) {
        using L = std::remove_cvref_t<decltype(layer)>;
        std::vector<float> out(g.size()), cache(B * L::cache_size, std::nanf("")), dx(x.size()), dp(p.size(), 0.0f);
        cpu_context ctx(4, 8);
        ctx.training = training;
        layer.template forward<float>(ctx, p.data(), view_at<In, const float>(x.data(), B),
                                      view_at<typename L::output, float>(out.data(), B), cache.data());
        std::vector<float> att(cache.begin(), cache.begin() + std::ptrdiff_t(B * L::attention_size));
        layer.template backward<float>(ctx, p.data(), dp.data(), view_at<In, const float>(x.data(), B),
                                       view_at<typename L::output, const float>(out.data(), B),
                                       view_at<typename L::output, const float>(g.data(), B),
                                       view_at<In, float>(dx.data(), B), cache.data());
        dp.resize(Bare::param_size);  // in_proj_weight's gradient
        return std::vector<std::vector<float>>{out, att, dx, dp};
    };
    const auto full = run(F{multi_head_attention<Heads, HeadDim, Q>{rate}}, pf);
    const auto bare = run(Bare{multi_head_attention<Heads, HeadDim, Q, projections::bare>{rate}}, w);
    CHECK(bare[0] == full[0]);
    CHECK(bare[1] == full[1]);
    CHECK(bare[2] == full[2]);
    CHECK(bare[3] == full[3]);
}

TEST_CASE("multi_head_attention projections::bare is full with zero biases and W_o = I (float, 4 threads)") {
    SECTION("self") { bare_equals_full<shape<12, 16>, 4, 0, queries::first>(0.0f, false); }
    SECTION("self, training with dropout") { bare_equals_full<shape<12, 16>, 4, 0, queries::first>(0.3f, true); }
    SECTION("cross, second half asks, HeadDim") {
        bare_equals_full<pair_of<shape<7, 12>, shape<9, 12>>, 3, 4, queries::second>(0.0f, false);
    }
}

TEST_CASE("attention_pooling gradients: one row (EPIVAN) and several (structured self-attention)") {
    check<attention_pooling<5>, shape<6, 4>>("one row");
    check<attention_pooling<3, 4>, shape<7, 5>>("four rows");
    check<attention_pooling<1>, shape<1, 3>>("a single position");
}

TEST_CASE("multi_head_attention fast path equals plain loops (float, 4 threads)") {
    SECTION("self-attention") { fast_vs_reference<multi_head_attention<4>, shape<12, 16>>({}, false); }
    SECTION("cross, second half asks") {
        fast_vs_reference<multi_head_attention<4, 0, queries::second>, pair_of<shape<7, 16>, shape<9, 16>>>({}, false,
                                                                                                            false);
    }
    SECTION("cross, first half asks, HeadDim") {
        fast_vs_reference<multi_head_attention<3, 5>, pair_of<shape<7, 12>, shape<9, 12>>>({}, false);
    }
    SECTION("self-attention, training with dropout") {
        fast_vs_reference<multi_head_attention<4>, shape<12, 16>>(multi_head_attention<4>{0.3f}, true);
    }
    SECTION("cross, training with dropout") {
        fast_vs_reference<multi_head_attention<2, 0, queries::second>, pair_of<shape<7, 16>, shape<9, 16>>>(
            multi_head_attention<2, 0, queries::second>{0.2f}, true, false);
    }
    SECTION("cross, halves of equal shape, second half asks") {
        fast_vs_reference<multi_head_attention<2, 0, queries::second>, pair_of<shape<8, 8>, shape<8, 8>>>({}, false,
                                                                                                          false);
    }
}

TEST_CASE("attention_pooling fast path equals plain loops (float, 4 threads)") {
    pooling_vs_reference<6, 1, 11, 7>();
    pooling_vs_reference<4, 3, 9, 5>();
}

TEST_CASE("attention weights: rows sum to 1, mean over heads, before dropout") {
    using L = multi_head_attention<3, 0, queries::second>::bind<pair_of<shape<5, 6>, shape<7, 6>>>;
    static_assert(L::query_length == 7 && L::key_length == 5 && std::is_same_v<L::output, shape<7, 6>>);
    constexpr std::size_t B = 2;
    const auto p = random_values(L::param_size, 31);
    const auto x = random_values(B * L::input::size, 32, 2.0);
    std::vector<float> cache, cache_training;
    cpu_context ctx(2, 9);
    run_forward(L{multi_head_attention<3, 0, queries::second>{0.5f}}, ctx, p, x, B, cache);
    ctx.training = true;
    run_forward(L{multi_head_attention<3, 0, queries::second>{0.5f}}, ctx, p, x, B, cache_training);
    for (std::size_t b = 0; b < B; ++b) {
        const auto mean = L::mean_attention(static_cast<const float*>(cache.data()), B, b);
        for (std::size_t i = 0; i < L::query_length; ++i) {
            double mean_row = 0;
            for (std::size_t j = 0; j < L::key_length; ++j) {
                double m = 0;
                for (std::size_t h = 0; h < 3; ++h)
                    m += L::attention(static_cast<const float*>(cache.data()), B, b, h)(0, i, j);
                CHECK(mean(0, i, j) == Approx(m / 3).margin(1e-7));
                mean_row += mean(0, i, j);
            }
            CHECK(mean_row == Approx(1.0).margin(1e-6));
            for (std::size_t h = 0; h < 3; ++h) {
                const auto a = L::attention(static_cast<const float*>(cache.data()), B, b, h);
                const auto at = L::attention(static_cast<const float*>(cache_training.data()), B, b, h);
                double s = 0;
                for (std::size_t j = 0; j < L::key_length; ++j) {
                    CHECK(a(0, i, j) >= 0.0f);
                    CHECK(at(0, i, j) == a(0, i, j));  // the weights are kept before dropout
                    s += a(0, i, j);
                }
                CHECK(s == Approx(1.0).margin(1e-6));
            }
        }
    }
    CHECK_THROWS_AS(L::attention(static_cast<const float*>(cache.data()), B, B, 0), argument_error);
    CHECK_THROWS_AS(L::attention(static_cast<const float*>(cache.data()), B, 0, 3), argument_error);

    using P = attention_pooling<4, 2>::bind<shape<6, 3>>;
    const auto pp = random_values(P::param_size, 33, 1.5);
    const auto px = random_values(B * 18, 34, 2.0);
    std::vector<float> pcache;
    run_forward(P{}, ctx, pp, px, B, pcache);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t r = 0; r < 2; ++r) {
            double s = 0;
            for (std::size_t l = 0; l < 6; ++l)
                s += P::attention(static_cast<const float*>(pcache.data()), B, b)(0, r, l);
            CHECK(s == Approx(1.0).margin(1e-6));
        }
    CHECK_THROWS_AS(P::attention(static_cast<const float*>(pcache.data()), B, B), argument_error);
}

TEST_CASE("multi_head_attention dropout: drawn as helix::dropout draws, deterministic, off in evaluation") {
    using S = multi_head_attention<2>;
    using L = S::bind<shape<6, 8>>;
    constexpr std::size_t B = 4;
    const L layer{S{0.4f}};
    const auto p = random_values(L::param_size, 41);
    const auto x = random_values(B * L::input::size, 42);
    std::vector<float> cache;

    cpu_context eval(1, 77);
    const auto y_eval = run_forward(layer, eval, p, x, B, cache);
    cpu_context no_rate(1, 77);
    no_rate.training = true;
    const auto y_plain = run_forward(L{S{0.0f}}, no_rate, p, x, B, cache);
    CHECK(y_eval == y_plain);         // evaluation: the rate does nothing
    CHECK(eval.rng.position() == 0);  // and draws nothing

    cpu_context one(1, 77), four(4, 77);
    one.training = four.training = true;
    std::vector<float> cache_one, cache_four;
    const auto y1 = run_forward(layer, one, p, x, B, cache_one);
    const auto y4 = run_forward(layer, four, p, x, B, cache_four);
    CHECK(y1 == y4);  // the same bits whatever the thread count
    CHECK(cache_one == cache_four);
    {
        const auto g = random_values(y1.size(), 44);
        std::vector<float> dx1(x.size()), dx4(x.size()), dp1(p.size(), 0.0f), dp4(p.size(), 0.0f);
        const auto back = [&](cpu_context& c, std::vector<float>& cache_, const std::vector<float>& y,
                              std::vector<float>& dx, std::vector<float>& dp) {
            layer.backward<float>(c, p.data(), dp.data(), view_at<shape<6, 8>, const float>(x.data(), B),
                                  view_at<shape<6, 8>, const float>(y.data(), B),
                                  view_at<shape<6, 8>, const float>(g.data(), B),
                                  view_at<shape<6, 8>, float>(dx.data(), B), cache_.data());
        };
        back(one, cache_one, y1, dx1, dp1);
        back(four, cache_four, y4, dx4, dp4);
        CHECK(dx1 == dx4);
        CHECK(dp1 == dp4);
    }
    CHECK(y1 != y_eval);
    CHECK(one.rng.position() == B * L::attention_size);  // one draw per attention weight
    const auto y1_next = run_forward(layer, one, p, x, B, cache_one);
    CHECK(y1_next != y1);  // the next step draws new masks

    // The mask (the cache's second region) is what helix::dropout draws for a tensor of that size.
    cpu_context a(1, 77), d(1, 77);
    a.training = d.training = true;
    run_forward(layer, a, p, x, B, cache);
    using drop = dropout::bind<shape<L::attention_size>>;
    const std::vector<float> ones(B * L::attention_size, 1.0f);
    std::vector<float> dcache;
    const auto dropped_ones = run_forward(drop{dropout{0.4f}}, d, {}, ones, B, dcache);
    const std::vector<float> mask(cache.begin() + B * L::attention_size, cache.begin() + 2 * B * L::attention_size);
    CHECK(mask == dropped_ones);
    std::size_t zeros = 0;
    for (float m : mask) zeros += m == 0.0f;
    CHECK(double(zeros) / double(mask.size()) == Approx(0.4).margin(0.08));  // 288 draws: sd 0.03

    // The CPU's vectorised draws (attention_dropout_chunks) equal the device functor's (one Philox call per 4),
    // at any starting draw.
    for (const std::uint64_t start : {std::uint64_t(0), std::uint64_t(3), std::uint64_t(1029)}) {
        const std::size_t n = 2500;
        const auto w = random_values(n, 43);
        std::vector<float> m1(n, -1), d1(n, -1), m2(n, -2), d2(n, -2);
        const counter_rng rng(99, 4);
        const float keep = 1.0f / (1.0f - 0.3f);
        using chunks = kernels::attention_dropout_chunks<float>;
        using groups = kernels::attention_dropout<float>;
        ops<cpu>::for_each(one, chunks::chunks(n), chunks{w.data(), m1.data(), d1.data(), n, rng, start, 0.3f, keep});
        ops<cpu>::for_each(four, groups::groups(start, n),
                           groups{w.data(), m2.data(), d2.data(), n, rng.seed(), rng.stream(), start, 0.3f, keep});
        CHECK(m1 == m2);
        CHECK(d1 == d2);
        CHECK(m1[0] == (rng.uniform(start) > 0.3f ? keep : 0.0f));
        CHECK(m1[n - 1] == (rng.uniform(start + n - 1) > 0.3f ? keep : 0.0f));
    }

    // A batch split in two shares of a global batch draws what the whole batch draws.
    std::vector<float> halves_out;
    for (std::size_t first : {0, 2}) {
        cpu_context part(1, 77);
        part.training = true;
        part.share = {first, B};
        const std::vector<float> xs(x.begin() + std::ptrdiff_t(first * L::input::size),
                                    x.begin() + std::ptrdiff_t((first + 2) * L::input::size));
        const auto y = run_forward(layer, part, p, xs, 2, cache);
        halves_out.insert(halves_out.end(), y.begin(), y.end());
    }
    CHECK(halves_out == y1);
}

TEST_CASE("multi_head_attention in a network: PyTorch's names and shapes, torch's xavier bound for in_proj") {
    network<shape<10, 16>, seq<multi_head_attention<4>>> net(seq{multi_head_attention<4>{0.1f}});
    const auto& info = net.parameter_info();
    REQUIRE(info.size() == 4);
    CHECK(info[0].name == "0.in_proj_weight");
    CHECK(info[0].dims == std::vector<std::size_t>{48, 16});
    CHECK(info[1].name == "0.in_proj_bias");
    CHECK(info[2].name == "0.out_proj.weight");
    CHECK(info[2].dims == std::vector<std::size_t>{16, 16});
    CHECK(info[3].name == "0.out_proj.bias");
    net.init(5);
    const double bound = std::sqrt(6.0 / (16 + 48));  // torch: xavier_uniform_ of in_proj_weight [3E, E]
    double largest = 0;
    for (std::size_t i = 0; i < info[0].size; ++i) largest = std::max(largest, double(std::abs(net.parameters()[i])));
    CHECK(largest <= bound);
    CHECK(largest > 0.9 * bound);
    for (std::size_t i = 0; i < info[1].size; ++i) CHECK(net.parameters()[info[1].offset + i] == 0.0f);

    using HD = multi_head_attention<2, 8>::bind<shape<10, 6>>;
    static_assert(HD::embed == 16 && HD::param_size == 48 * 6 + 48 + 6 * 16 + 6);
    static_assert(std::is_same_v<attention_pooling<4>::bind<shape<10, 6>>::output, shape<6>>);
    static_assert(std::is_same_v<attention_pooling<4, 3>::bind<shape<10, 6>>::output, shape<3, 6>>);
    CHECK_THROWS_AS(multi_head_attention<2>{1.0f}, argument_error);

    // bare: in_proj_weight only, the same init; found by its path
    using bare_mha = multi_head_attention<4, 0, queries::first, projections::bare>;
    network<shape<10, 16>, seq<bare_mha>> bare_net(seq{bare_mha{0.1f}});
    const auto& bare_info = bare_net.parameter_info();
    REQUIRE(bare_info.size() == 1);
    CHECK(bare_info[0].name == "0.in_proj_weight");
    CHECK(bare_info[0].dims == std::vector<std::size_t>{48, 16});
    CHECK(bare_net.parameters().size() == 48 * 16);
    bare_net.init(5);
    largest = 0;
    for (std::size_t i = 0; i < bare_info[0].size; ++i)
        largest = std::max(largest, double(std::abs(bare_net.parameters()[i])));
    CHECK(largest <= bound);
    CHECK(largest > 0.9 * bound);
    const auto paths = layer_paths(bare_net);
    REQUIRE(paths.size() == 2);
    CHECK(paths[1].path == "0");
    CHECK(paths[1].output == "<10, 16>");
    tensor<float, shape<10, 16>> xs(2);
    for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = float(std::sin(0.37 * double(i)));
    cpu_context ctx(1);
    bare_net.forward(ctx, xs.cview());
    const auto ref = find<"0">(bare_net);
    using BB = typename decltype(ref)::bound_type;
    STATIC_REQUIRE(std::is_same_v<typename BB::output, shape<10, 16>>);
    double row = 0;
    for (std::size_t j = 0; j < 10; ++j) row += BB::attention(ref.cache, 2, 1, 3)(0, 4, j);
    CHECK(row == Approx(1.0).margin(1e-6));
    CHECK(BB::mean_attention(ref.cache, 2, 1)(0, 4, 2) > 0.0f);
}
