// additive_cross_attention<Dim, Queries>: Bahdanau-style attention of one sequence over another.
//
// Input pair_of<<Lq, C>, <Lk, C>> (queries q, keys k; with queries::second the second half asks and the
// first answers, so one pair feeds both directions); output <Lq, C>:
//   s_ij = v^T tanh(W_q^T q_i + W_k^T k_j),  a_ij = softmax over j of s_ij,  r_i = sum_j a_ij k_j
// Parameters: query_weight [C, Dim], key_weight [C, Dim], score_weight [Dim] (no biases, as in EPIANN).
// The cache keeps the projections (queries Lq x Dim, keys transposed Dim x Lk) and the attention matrix Lq x Lk,
// which backward needs anyway, so attention() exposes it for interpretation at no cost. The Lq x Lk x Dim tanh
// terms are the largest intermediate (EPIANN: 100 x 67 x 32 per pair) and are recomputed in backward, never
// stored; scores and their gradient are vectorised loops (backend/cpu/attention.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "helix/backend/cpu/attention.hpp"
#include "helix/backend/cpu/gemm.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/kernels/softmax.hpp"
#include "helix/layers/attention/queries.hpp"
#include "helix/layers/layer.hpp"

namespace helix {


template <std::size_t Dim, queries Queries = queries::first>
struct additive_cross_attention {
    static_assert(Dim > 0, "additive_cross_attention: the attention dimension must be positive");

    template <io_type In>
    struct bind {
        static_assert(is_pair_v<In>,
                      "additive_cross_attention: input is a single tensor; it takes pair_of<queries <Lq, C>, keys "
                      "<Lk, C>> (use branches<> or twin<> to build the pair)");

    private:
        using pair_in = detail::pair_or<In, pair_of<shape<1, 1>, shape<1, 1>>>;
        static constexpr bool queries_first = Queries == queries::first;
        using q_shape = std::conditional_t<queries_first, typename pair_in::first_type, typename pair_in::second_type>;
        using k_shape = std::conditional_t<queries_first, typename pair_in::second_type, typename pair_in::first_type>;
        static constexpr bool valid = is_pair_v<In> && q_shape::rank == 2 && k_shape::rank == 2 && q_shape::last == k_shape::last;
        static_assert(!is_pair_v<In> || valid,
                      "additive_cross_attention: queries and keys must both be <length, channels> with the same "
                      "number of channels");
        using safe_in = std::conditional_t<valid, pair_in, pair_of<shape<1, 1>, shape<1, 1>>>;

        // The query and key halves of a pair view.
        template <class P>
        static auto& query_half(P& p) {
            if constexpr (queries_first) return p.first;
            else return p.second;
        }
        template <class P>
        static auto& key_half(P& p) {
            if constexpr (queries_first) return p.second;
            else return p.first;
        }

    public:
        static constexpr std::size_t query_length = valid ? q_shape::first : 1;
        static constexpr std::size_t key_length = valid ? k_shape::first : 1;
        static constexpr std::size_t channels = valid ? q_shape::last : 1;
        using input = safe_in;
        using output = shape<query_length, channels>;
        using spec = additive_cross_attention;  // names the layer to other backends (device_layer)
        static constexpr std::size_t proj_size = channels * Dim;
        static constexpr std::size_t param_size = 2 * proj_size + Dim;
        // per sample: query projections, key projections (transposed, rows padded to key_stride), attention matrix
        static constexpr std::size_t key_stride = backend::cpu::attention_key_stride(key_length);
        static constexpr std::size_t attention_offset = (query_length + key_stride) * Dim;
        static constexpr std::size_t cache_size = attention_offset + query_length * key_length;

        bind() = default;
        explicit bind(const additive_cross_attention&) {}

        void describe(param_list& pl) const {
            pl.add("query_weight", {channels, Dim}, param_kind::weight, channels, Dim, 0);
            pl.add("key_weight", {channels, Dim}, param_kind::weight, channels, Dim, proj_size);
            pl.add("score_weight", {Dim}, param_kind::weight, Dim, 1, 2 * proj_size);
        }

        // The attention weights of sample b (queries x keys, rows sum to 1) from the latest forward pass,
        // read in place from the layer's cache.
        template <class T>
        static tensor_view<const T, shape<query_length, key_length>> attention(const T* cache, std::size_t b) {
            return {cache + b * cache_size + attention_offset, 1};
        }

        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out,
                     T* cache) const {
            check_batch(in.batch(), out.batch(), "additive_cross_attention");
            using backend::cpu::transpose;
            const T* wq = params;
            const T* wk = params + proj_size;
            const T* v = params + 2 * proj_size;
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                T* c = cache + b * cache_size;
                T* qp = c;                       // query_length x Dim
                T* kt = c + query_length * Dim;  // Dim x key_stride: key projections, transposed, zero padding
                T* a = c + attention_offset;
                const T* q = query_half(in).sample(b);
                const T* k = key_half(in).sample(b);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, query_length, Dim, channels, T(1), q, channels,
                                      wq, Dim, T(0), qp, Dim);
                backend::cpu::gemm<T>(ctx, transpose::yes, transpose::yes, Dim, key_length, channels, T(1), wk, Dim, k,
                                      channels, T(0), kt, key_stride);
                for (std::size_t d = 0; d < Dim; ++d) std::fill(kt + d * key_stride + key_length, kt + (d + 1) * key_stride, T(0));
                backend::cpu::run_kernel<backend::cpu::attention_forward_kernel<T, query_length, key_length, Dim>>(
                    static_cast<const T*>(qp), static_cast<const T*>(kt), v, a);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, query_length, channels, key_length, T(1), a,
                                      key_length, k, channels, T(0), out.sample(b), channels);
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T* params, T* grads, view_t<const T, input> in,
                      view_t<const T, output>, view_t<const T, output> dout, view_t<T, input> din, T* cache) const {
            using backend::cpu::transpose;
            const std::size_t batch = in.batch();
            const T* wq = params;
            const T* wk = params + proj_size;
            const T* v = params + 2 * proj_size;
            // Per-sample gradients of the projections (stacked over the batch, so that each weight gradient is
            // one product) and of v (summed afterwards in sample order): the result does not depend on how the
            // batch is split between threads.
            // Kept between calls (fresh ones would be page faults every step); pointers taken here, on the caller's
            // thread, are used by every thread of the loop.
            thread_local std::vector<T> scratch;
            scratch.assign(batch * (query_length + key_length + 1) * Dim, T(0));
            T* const dqp_all = scratch.data();
            T* const dkp_all = dqp_all + batch * query_length * Dim;
            T* const dv = dkp_all + batch * key_length * Dim;
            parallel_for(ctx, batch, [&](std::size_t b) {
                const T* c = cache + b * cache_size;
                const T* qp = c;
                const T* kt = c + query_length * Dim;
                const T* a = c + attention_offset;
                const T* k = key_half(in).sample(b);
                const T* dr = dout.sample(b);
                thread_local std::vector<T> ds, dkt;
                ds.resize(query_length * key_length);
                dkt.resize(Dim * key_stride);
                // da = dr k^T; ds = a * (da - rowsum(a * da))
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, query_length, key_length, channels, T(1), dr,
                                      channels, k, channels, T(0), ds.data(), key_length);
                for (std::size_t i = 0; i < query_length; ++i)
                    kernels::softmax_backward_row(a + i * key_length, ds.data() + i * key_length, key_length);
                T* dqp = dqp_all + b * query_length * Dim;
                T* dkp = dkp_all + b * key_length * Dim;
                backend::cpu::run_kernel<backend::cpu::attention_backward_kernel<T, query_length, key_length, Dim>>(
                    qp, kt, v, static_cast<const T*>(ds.data()), dqp, dkt.data(), dv + b * Dim);
                for (std::size_t d = 0; d < Dim; ++d)
                    for (std::size_t j = 0; j < key_length; ++j) dkp[j * Dim + d] = dkt[d * key_stride + j];
                if (din.empty()) return;
                // dk = a^T dr (values) here; the keys' share is added below
                backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, key_length, channels, query_length, T(1), a,
                                      key_length, dr, channels, T(0), key_half(din).sample(b), channels);
            });
            if (!din.empty()) {  // dq = dQ W_q^T and dk += dK W_k^T, one product each over the batch
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, batch * query_length, channels, Dim, T(1),
                                      dqp_all, Dim, wq, Dim, T(0), query_half(din).data(), channels);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, batch * key_length, channels, Dim, T(1),
                                      dkp_all, Dim, wk, Dim, T(1), key_half(din).data(), channels);
            }
            // dW_q += Q^T dQ and dW_k += K^T dK over the whole batch at once (samples are contiguous).
            backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, channels, Dim, batch * query_length, T(1),
                                  query_half(in).data(), channels, dqp_all, Dim, T(1), grads, Dim);
            backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, channels, Dim, batch * key_length, T(1),
                                  key_half(in).data(), channels, dkp_all, Dim, T(1), grads + proj_size, Dim);
            for (std::size_t b = 0; b < batch; ++b)
                for (std::size_t d = 0; d < Dim; ++d) grads[2 * proj_size + d] += dv[b * Dim + d];
        }
    };
};

}  // namespace helix
