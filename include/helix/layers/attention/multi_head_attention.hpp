// multi_head_attention<Heads, HeadDim = 0, Queries = queries::first, P = projections::full>{dropout}: scaled
// dot-product attention with several heads, torch.nn.MultiheadAttention(embed_dim = C, num_heads = Heads,
// batch_first = True, dropout).
//
// Input <L, C>: self-attention, output <L, C>. Input pair_of<<Lq, C>, <Lk, C>>: cross-attention, the `Queries` half
// asks and the other half gives keys and values, output <Lq, C> (Lq: the length of the asking half), so one pair
// feeds both directions (torch: mha(q, kv, kv)). With d = head_dim, E = Heads * d, per head h:
//   Q = x_q W_q^T + b_q, K = x_kv W_k^T + b_k, V = x_kv W_v^T + b_v          (rows h d .. (h + 1) d of each)
//   A_h = softmax over keys of Q_h K_h^T / sqrt(d),  O_h = dropout(A_h) V_h,  y = [O_1 .. O_H] W_o^T + b_o
// head_dim = C / Heads when HeadDim == 0 (C must be a multiple of Heads: PyTorch's case); otherwise HeadDim, and
// the projections map C -> Heads * HeadDim and the output projection back to C (Keras's key_dim = value_dim).
// Parameters, PyTorch's names and layouts (state_dict copies 1:1):
//   in_proj_weight [3E, C] (W_q, W_k, W_v stacked), in_proj_bias [3E], out_proj.weight [C, E], out_proj.bias [C].
// Init: in_proj_weight has torch's xavier_uniform_ fans (fan_in C, fan_out 3E), so helix's default glorot_uniform
// draws from torch's distribution; out_proj.weight glorot (fan_in E, fan_out C: torch leaves it at Linear's
// kaiming-uniform, U(+-1/sqrt(E))); biases 0 as in torch.
// dropout (run-time rate in [0, 1)): while ctx.training, inverted dropout on the attention weights, drawn from
// ctx.rng as layers/dropout.hpp draws (one draw per weight of the global batch, by position in it; the CPU draws 16
// Philox counters at a time, CUDA one call per 4 weights: the same bits), mask cached.
// attention(cache, batch, b, h) views head h's weights of sample b (Lq x Lk, rows sum to 1, before dropout: torch
// returns them after dropout, the same in eval mode); mean_attention(cache, batch, b) averages the heads
// (torch's average_attn_weights=True). Both read a host copy of the cache (cuda::network::download_cache).
// Fast path: the projections are one product over batch * length rows, the scores and weighted sums one strided
// batched product per head over the batch, softmax and dropout functors (kernels/attention.hpp); device-generic
// (ops_of<Ctx>), so the same code runs on CUDA.
// Cache (batch-major regions): attention weights, dropout mask, a work area (dropped weights, then in backward
// their gradient), projections, head outputs, and backward's workspace (gradients of head outputs and projections),
// so backward leaves what it reads unchanged (a second backward gives the same result). Per sample
// 3 H Lq Lk + 2 (Lq E + 2 Lk E) + 2 Lq E values.
// projections::bare (EPI-Mind's and EPI-Trans's Keras attention): Q = x_q W_q^T, K = x_kv W_k^T, V = x_kv W_v^T without
// biases, y = [O_1 .. O_H] without an output projection; E must equal C (HeadDim 0 or C / Heads). Parameters:
// in_proj_weight [3E, C] only (same layout and init; Keras's kernel W_q [C, C], used as x W_q, is
// in_proj_weight[:C]^T); torch: MultiheadAttention(C, H, bias=False) with out_proj.weight fixed to the identity. The
// head outputs are written straight into the output (no head-output regions in the cache: 3 H Lq Lk + 2 (Lq E + 2 Lk E)
// values per sample).
// No masks (key_padding_mask, attn_mask), no bias_k/bias_v or add_zero_attn, kdim = vdim = C.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/batch_share.hpp"
#include "helix/kernels/attention.hpp"
#include "helix/layers/attention/queries.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

// full: torch's in-projection with biases and output projection; bare: in-projection weights only (Keras code that
// builds attention from bias-free W_q, W_k, W_v and concatenates the heads).
enum class projections { full, bare };

template <std::size_t Heads, std::size_t HeadDim = 0, queries Queries = queries::first,
          projections P = projections::full>
struct multi_head_attention {
    static_assert(Heads > 0, "multi_head_attention: the number of heads must be positive");

    float dropout = 0.0f;  // on the attention weights while training

    multi_head_attention() = default;
    explicit multi_head_attention(float rate) : dropout(rate) { validate(rate); }

    static void validate(float r) {
        if (!(r >= 0.0f && r < 1.0f))
            throw argument_error("multi_head_attention: dropout must be in [0, 1), got " + std::to_string(r));
    }

    template <io_type In>
    struct bind {
    private:
        static constexpr bool cross = is_pair_v<In>;
        static constexpr bool queries_first = Queries == queries::first;
        static constexpr bool bare = P == projections::bare;
        using pair_in = detail::pair_or<In, pair_of<shape<1, 1>, shape<1, 1>>>;
        using single_in = detail::shape_or<In, shape<1, 1>>;
        using q_raw = std::conditional_t<
            !cross, single_in,
            std::conditional_t<queries_first, typename pair_in::first_type, typename pair_in::second_type>>;
        using kv_raw = std::conditional_t<
            !cross, single_in,
            std::conditional_t<queries_first, typename pair_in::second_type, typename pair_in::first_type>>;
        static constexpr bool ranks_ok = q_raw::rank == 2 && kv_raw::rank == 2;
        static_assert(cross || ranks_ok,
                      "multi_head_attention: input must be <length, channels> (self-attention) or pair_of<<Lq, C>, "
                      "<Lk, C>> (cross-attention); got a tensor of another rank");
        static constexpr bool shapes_ok = ranks_ok && q_raw::last == kv_raw::last;
        static_assert(!cross || shapes_ok,
                      "multi_head_attention: queries and keys/values must both be <length, channels> with the same "
                      "number of channels");
        static constexpr bool divides = HeadDim != 0 || !shapes_ok || q_raw::last % Heads == 0;
        static_assert(divides,
                      "multi_head_attention: the channels are not a multiple of the number of heads (head_dim = C / "
                      "Heads); choose Heads dividing C, or give HeadDim to project to Heads x HeadDim");
        static_assert(!bare || HeadDim == 0 || !shapes_ok || Heads * HeadDim == q_raw::last,
                      "multi_head_attention: projections::bare has no output projection, so Heads x HeadDim must "
                      "equal the channels C; leave HeadDim 0 (head_dim = C / Heads) or use projections::full");
        // After a misuse (its static_assert is the one error), shapes the code and the layers after it accept.
        template <class S>
        using as_matrix = shape<S::rows, S::last>;
        using fallback_in = std::conditional_t<
            cross, pair_of<as_matrix<typename pair_in::first_type>, as_matrix<typename pair_in::second_type>>,
            as_matrix<single_in>>;

    public:
        using input = std::conditional_t<ranks_ok, In, fallback_in>;
        using query_shape = as_matrix<q_raw>;
        using key_shape = as_matrix<kv_raw>;
        static constexpr bool self_attention = !cross;
        static constexpr std::size_t query_length = query_shape::first;
        static constexpr std::size_t key_length = key_shape::first;
        static constexpr std::size_t channels = query_shape::last;
        static constexpr std::size_t heads = Heads;
        static constexpr std::size_t head_dim =
            HeadDim != 0 ? HeadDim : (divides && channels >= Heads ? channels / Heads : 1);
        static constexpr std::size_t embed = Heads * head_dim;  // E
        using output = shape<query_length, channels>;
        using spec = multi_head_attention;

        // parameter offsets (bare: in_proj_weight only)
        static constexpr std::size_t in_weight_size = 3 * embed * channels;
        static constexpr std::size_t in_bias_offset = in_weight_size;
        static constexpr std::size_t out_weight_offset = in_bias_offset + 3 * embed;
        static constexpr std::size_t out_bias_offset = out_weight_offset + channels * embed;
        static constexpr std::size_t param_size = bare ? in_weight_size : out_bias_offset + channels;

        // per-sample sizes of the cache's regions (each region holds the whole batch, sample-major)
        static constexpr std::size_t attention_size = Heads * query_length * key_length;
        static constexpr std::size_t projection_size = query_length * embed + 2 * key_length * embed;
        static constexpr std::size_t head_output_size = query_length * embed;
        // bare keeps no head outputs: they are the output, their gradient the output's
        static constexpr std::size_t head_cache_size = bare ? 0 : head_output_size;
        static constexpr std::size_t cache_size = 3 * attention_size + 2 * projection_size + 2 * head_cache_size;

        float dropout = 0.0f;

        bind() = default;
        explicit bind(const multi_head_attention& s) : dropout(s.dropout) { validate(s.dropout); }

        void describe(param_list& pl) const {
            pl.add("in_proj_weight", {3 * embed, channels}, param_kind::weight, channels, 3 * embed, 0);
            if constexpr (!bare) {
                pl.add("in_proj_bias", {3 * embed}, param_kind::bias, channels, 3 * embed, in_bias_offset);
                pl.add("out_proj.weight", {channels, embed}, param_kind::weight, embed, channels, out_weight_offset);
                pl.add("out_proj.bias", {channels}, param_kind::bias, embed, channels, out_bias_offset);
            }
        }

        // Head `head`'s attention weights of sample b (queries x keys, rows sum to 1, before dropout) from the latest
        // forward pass over `batch` samples, read in place from the layer's cache (host memory).
        template <class T>
        static tensor_view<const T, shape<query_length, key_length>> attention(const T* cache, std::size_t batch,
                                                                               std::size_t b, std::size_t head) {
            check_index(batch, b, head);
            return {cache + (b * Heads + head) * query_length * key_length, 1};
        }
        // The weights of sample b averaged over the heads (torch's average_attn_weights=True).
        template <class T>
        static tensor<std::remove_const_t<T>, shape<query_length, key_length>> mean_attention(const T* cache,
                                                                                              std::size_t batch,
                                                                                              std::size_t b) {
            check_index(batch, b, 0);
            tensor<std::remove_const_t<T>, shape<query_length, key_length>> m(1);
            const std::size_t n = query_length * key_length;
            for (std::size_t h = 0; h < Heads; ++h) {
                const T* a = cache + (b * Heads + h) * n;
                for (std::size_t i = 0; i < n; ++i) m[i] += a[i];
            }
            for (std::size_t i = 0; i < n; ++i) m[i] /= T(Heads);
            return m;
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            using O = ops_of<Ctx>;
            const std::size_t batch = in.batch();
            check_batch(batch, out.batch(), "multi_head_attention");
            const regions<T> r(cache, batch);
            const T* w_in = params;
            // (bare has in_proj_weight only: no pointers past it)
            const T* b_in = bare ? nullptr : params + in_bias_offset;
            const T* w_out = bare ? nullptr : params + out_weight_offset;
            const T* b_out = bare ? nullptr : params + out_bias_offset;
            const T* xq = query_view(in).data();
            const T* xkv = key_view(in).data();

            // projections: one product over all rows of the batch (queries, keys, values packed when self)
            // (bare: no biases, so the product overwrites instead of adding to broadcast biases)
            constexpr T beta = bare ? T(0) : T(1);
            if constexpr (self_attention) {
                if constexpr (!bare)
                    O::for_each(ctx, batch * query_length * 3 * embed,
                                kernels::broadcast_rows<T>{r.proj, b_in, 3 * embed});
                O::gemm(ctx, trans::no, trans::yes, batch * query_length, 3 * embed, channels, T(1), xq, channels, w_in,
                        channels, beta, r.proj, 3 * embed);
            } else {
                if constexpr (!bare)
                    O::for_each(ctx, batch * query_length * embed, kernels::broadcast_rows<T>{r.proj, b_in, embed});
                O::gemm(ctx, trans::no, trans::yes, batch * query_length, embed, channels, T(1), xq, channels, w_in,
                        channels, beta, r.proj, embed);
                T* kv = r.k(batch);
                if constexpr (!bare)
                    O::for_each(ctx, batch * key_length * 2 * embed,
                                kernels::broadcast_rows<T>{kv, b_in + embed, 2 * embed});
                O::gemm(ctx, trans::no, trans::yes, batch * key_length, 2 * embed, channels, T(1), xkv, channels,
                        w_in + embed * channels, channels, beta, kv, 2 * embed);
            }
            const T* q = r.proj;
            const T* k = r.k(batch);
            const T* v = k + embed;
            constexpr std::size_t lq = ld_q, lkv = ld_kv, sq = query_length * ld_q, skv = key_length * ld_kv;
            constexpr std::size_t qk = query_length * key_length;

            // scores per (sample, head), then softmax over keys
            for (std::size_t h = 0; h < Heads; ++h)
                O::gemm_batched(ctx, trans::no, trans::yes, query_length, key_length, head_dim, scale<T>(),
                                q + h * head_dim, lq, sq, k + h * head_dim, lkv, skv, T(0), r.attn + h * qk, key_length,
                                attention_size, batch);
            O::for_each(ctx, batch * Heads * query_length, kernels::softmax_rows<T>{r.attn, key_length});

            const T* weights = r.attn;
            if (dropout_active(ctx)) {
                const share_draws draws = draws_of_share(ctx.share, batch, attention_size, "multi_head_attention");
                const std::uint64_t first = ctx.rng.reserve(draws.reserved) + draws.offset;
                const std::size_t n = batch * attention_size;
                const T keep = T(1) / (T(1) - T(dropout));
                if constexpr (std::is_same_v<device_of<Ctx>, cpu>) {  // the same draws, vectorised
                    using drop = kernels::attention_dropout_chunks<T>;
                    O::for_each(ctx, drop::chunks(n), drop{r.attn, r.mask, r.work, n, ctx.rng, first, dropout, keep});
                } else {
                    using drop = kernels::attention_dropout<T>;
                    O::for_each(
                        ctx, drop::groups(first, n),
                        drop{r.attn, r.mask, r.work, n, ctx.rng.seed(), ctx.rng.stream(), first, dropout, keep});
                }
                weights = r.work;
            }
            // head outputs O_h = A_h V_h, side by side in [batch * Lq, E] (bare: the output itself, E = C)
            T* heads = bare ? out.data() : r.heads;
            for (std::size_t h = 0; h < Heads; ++h)
                O::gemm_batched(ctx, trans::no, trans::no, query_length, head_dim, key_length, T(1), weights + h * qk,
                                key_length, attention_size, v + h * head_dim, lkv, skv, T(0), heads + h * head_dim,
                                embed, head_output_size, batch);
            if constexpr (!bare) {  // output projection
                O::for_each(ctx, batch * query_length * channels,
                            kernels::broadcast_rows<T>{out.data(), b_out, channels});
                O::gemm(ctx, trans::no, trans::yes, batch * query_length, channels, embed, T(1), r.heads, embed, w_out,
                        embed, T(1), out.data(), channels);
            }
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            using O = ops_of<Ctx>;
            const std::size_t batch = in.batch();
            const regions<T> r(cache, batch);
            const T* w_in = params;
            const T* w_out = bare ? nullptr : params + out_weight_offset;
            T* g_win = grads;
            T* g_bin = bare ? nullptr : grads + in_bias_offset;
            T* g_wout = bare ? nullptr : grads + out_weight_offset;
            T* g_bout = bare ? nullptr : grads + out_bias_offset;
            const T* xq = query_view(in).data();
            const T* xkv = key_view(in).data();
            const T* dy = dout.data();
            const T* q = r.proj;
            const T* k = r.k(batch);
            const T* v = k + embed;
            T* dq = r.dproj;
            T* dk = r.dk(batch);
            T* dv = dk + embed;
            constexpr std::size_t lq = ld_q, lkv = ld_kv, sq = query_length * ld_q, skv = key_length * ld_kv;
            constexpr std::size_t qk = query_length * key_length;
            const std::size_t rows_q = batch * query_length, rows_kv = batch * key_length;

            // output projection: dW_o += dY^T O, db_o += column sums of dY, dO = dY W_o (bare: dO = dY)
            const T* dheads = dy;
            if constexpr (!bare) {
                O::gemm(ctx, trans::yes, trans::no, channels, embed, rows_q, T(1), dy, channels, r.heads, embed, T(1),
                        g_wout, embed);
                O::for_each(ctx, channels, kernels::add_column_sums<T>{dy, rows_q, channels, g_bout});
                O::gemm(ctx, trans::no, trans::no, rows_q, embed, channels, T(1), dy, channels, w_out, embed, T(0),
                        r.dheads, embed);
                dheads = r.dheads;
            }

            const bool active = dropout_active(ctx);
            const T* weights = r.attn;
            if (active) {  // the dropped weights again, from the cached mask
                O::for_each(ctx, batch * attention_size, kernels::multiply_values<T>{r.work, r.attn, r.mask});
                weights = r.work;
            }
            // dV_h = A_h^T dO_h, then dA_h = dO_h V_h^T into the work area
            for (std::size_t h = 0; h < Heads; ++h)
                O::gemm_batched(ctx, trans::yes, trans::no, key_length, head_dim, query_length, T(1), weights + h * qk,
                                key_length, attention_size, dheads + h * head_dim, embed, head_output_size, T(0),
                                dv + h * head_dim, lkv, skv, batch);
            for (std::size_t h = 0; h < Heads; ++h)
                O::gemm_batched(ctx, trans::no, trans::yes, query_length, key_length, head_dim, T(1),
                                dheads + h * head_dim, embed, head_output_size, v + h * head_dim, lkv, skv, T(0),
                                r.work + h * qk, key_length, attention_size, batch);
            if (active) O::for_each(ctx, batch * attention_size, kernels::multiply_values<T>{r.work, r.work, r.mask});
            O::for_each(ctx, batch * Heads * query_length,
                        kernels::softmax_backward_rows<T>{r.attn, r.work, key_length});
            // dQ_h = s dS_h K_h, dK_h = s dS_h^T Q_h
            for (std::size_t h = 0; h < Heads; ++h) {
                O::gemm_batched(ctx, trans::no, trans::no, query_length, head_dim, key_length, scale<T>(),
                                r.work + h * qk, key_length, attention_size, k + h * head_dim, lkv, skv, T(0),
                                dq + h * head_dim, lq, sq, batch);
                O::gemm_batched(ctx, trans::yes, trans::no, key_length, head_dim, query_length, scale<T>(),
                                r.work + h * qk, key_length, attention_size, q + h * head_dim, lq, sq, T(0),
                                dk + h * head_dim, lkv, skv, batch);
            }
            // input projection: dW_in += dP^T X, db_in += column sums of dP, dX = dP W_in
            if constexpr (self_attention) {
                O::gemm(ctx, trans::yes, trans::no, 3 * embed, channels, rows_q, T(1), r.dproj, 3 * embed, xq, channels,
                        T(1), g_win, channels);
                if constexpr (!bare)
                    O::for_each(ctx, 3 * embed, kernels::add_column_sums<T>{r.dproj, rows_q, 3 * embed, g_bin});
                if (!din.empty())
                    O::gemm(ctx, trans::no, trans::no, rows_q, channels, 3 * embed, T(1), r.dproj, 3 * embed, w_in,
                            channels, T(0), din.data(), channels);
            } else {
                O::gemm(ctx, trans::yes, trans::no, embed, channels, rows_q, T(1), dq, embed, xq, channels, T(1), g_win,
                        channels);
                if constexpr (!bare) O::for_each(ctx, embed, kernels::add_column_sums<T>{dq, rows_q, embed, g_bin});
                O::gemm(ctx, trans::yes, trans::no, 2 * embed, channels, rows_kv, T(1), dk, 2 * embed, xkv, channels,
                        T(1), g_win + embed * channels, channels);
                if constexpr (!bare)
                    O::for_each(ctx, 2 * embed, kernels::add_column_sums<T>{dk, rows_kv, 2 * embed, g_bin + embed});
                if (!din.empty()) {
                    O::gemm(ctx, trans::no, trans::no, rows_q, channels, embed, T(1), dq, embed, w_in, channels, T(0),
                            query_view(din).data(), channels);
                    O::gemm(ctx, trans::no, trans::no, rows_kv, channels, 2 * embed, T(1), dk, 2 * embed,
                            w_in + embed * channels, channels, T(0), key_view(din).data(), channels);
                }
            }
        }

    private:
        // Row strides of the query and key/value projections: packed [q k v] rows when self, else [q] and [k v].
        static constexpr std::size_t ld_q = self_attention ? 3 * embed : embed;
        static constexpr std::size_t ld_kv = self_attention ? 3 * embed : 2 * embed;

        template <class T>
        static T scale() {
            return T(1) / std::sqrt(T(head_dim));
        }
        template <class Ctx>
        bool dropout_active(const Ctx& ctx) const {
            return ctx.training && dropout > 0.0f;
        }
        static void check_index(std::size_t batch, std::size_t b, std::size_t head) {
            if (b >= batch || head >= Heads)
                throw argument_error("multi_head_attention::attention: sample " + std::to_string(b) + " head " +
                                     std::to_string(head) + " outside a batch of " + std::to_string(batch) + " with " +
                                     std::to_string(Heads) + " heads");
        }

        // The cache's regions for a batch, in order.
        template <class T>
        struct regions {
            T *attn, *mask, *work, *proj, *heads, *dheads, *dproj;
            regions(T* c, std::size_t batch)
                : attn(c),
                  mask(attn + batch * attention_size),
                  work(mask + batch * attention_size),
                  proj(work + batch * attention_size),
                  heads(proj + batch * projection_size),  // (bare: empty, as dheads)
                  dheads(heads + batch * head_cache_size),
                  dproj(dheads + batch * head_cache_size) {}
            // where the keys start (values follow them by E in each row)
            T* k(std::size_t batch) const {
                return self_attention ? proj + embed : proj + batch * query_length * embed;
            }
            T* dk(std::size_t batch) const {
                return self_attention ? dproj + embed : dproj + batch * query_length * embed;
            }
        };

        // The asking half of the input (the tensor itself for self-attention) and the half giving keys and values.
        template <class V>
        static auto query_view(const V& v) {
            if constexpr (self_attention)
                return v;
            else if constexpr (queries_first)
                return v.first;
            else
                return v.second;
        }
        template <class V>
        static auto key_view(const V& v) {
            if constexpr (self_attention)
                return v;
            else if constexpr (queries_first)
                return v.second;
            else
                return v.first;
        }
    };
};

}  // namespace helix
