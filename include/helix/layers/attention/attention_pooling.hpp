// attention_pooling<Dim, Rows = 1>: additive attention over the positions of a sequence, pooling it to Rows
// weighted sums of its positions.
//
// Input <L, C>; output <C> when Rows = 1, <Rows, C> otherwise. Per sample x (L x C):
//   U = tanh(x W + b)                    (L x Dim)
//   A = softmax over positions of (U u)^T  (Rows x L; each row sums to 1)
//   y = A x                              (Rows x C)
// Rows = 1 is EPIVAN's AttLayer (Hong et al. 2020, github.com/hzy95/EPIVAN model.py; Yang et al. 2016's word
// attention): uit = tanh(x W + b), ait = softmax(uit u), output sum_t ait x_t. Rows = r > 1 is the structured
// self-attention of Lin et al. 2017 as TransEPI uses it (github.com/chenkenbio/TransEPI src/epi_models.py):
// A = softmax over positions of W_s2 tanh(W_s1 x^T), output A x (r x C).
// Parameters: weight [C, Dim], bias [Dim], context [Dim, Rows]. Map to the originals:
//   EPIVAN (Keras):  W = weight [C, Dim], b = bias [Dim], u = context [Dim, 1]   (the same shapes)
//   TransEPI (torch): att_first.weight = weight^T [Dim, C], att_first.bias = bias, att_second.weight =
//                    context^T [Rows, Dim]; att_second.bias has no counterpart: it adds one constant to each row of
//                    scores, which the softmax over positions cancels (its gradient is 0), so drop it.
//   Lin et al.:      W_s1 = weight^T, W_s2 = context^T, bias = 0.
// Differences: EPIVAN divides exp(s) by sum exp(s) + K.epsilon() (1e-7) without subtracting the maximum; here the
// softmax is exact and stable (rows sum to 1). Init: glorot for weight (fan_in C, fan_out Dim) and context
// (fan_in Dim, fan_out Rows), bias 0 (EPIVAN draws all three from N(0, 0.05^2), TransEPI zeroes its biases).
// attention(cache, batch, b) views sample b's weights A (Rows x L) after forward (host memory).
// Fast path: x W and U u are one product each over batch * L rows, the pooling one batched product over the batch;
// tanh and the softmax over positions are functors (kernels/attention.hpp); device-generic (ops_of<Ctx>).
// Cache per sample: A (Rows L), U (L Dim), scores (L Rows), and backward's workspace (Rows L + L Rows + L Dim).
#pragma once

#include <string>

#include "helix/backend/cpu/ops.hpp"
#include "helix/kernels/attention.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <std::size_t Dim, std::size_t Rows = 1>
struct attention_pooling {
    static_assert(Dim > 0, "attention_pooling: the attention dimension must be positive");
    static_assert(Rows > 0, "attention_pooling: the number of attention rows must be positive");

    template <io_type In>
    struct bind {
    private:
        static_assert(is_shape_v<In>,
                      "attention_pooling: input is a pair of tensors; attention_pooling takes one <length, channels> "
                      "tensor (wrap it in twin<> to pool both halves with the same weights)");
        using raw = detail::shape_or<In>;
        static_assert(!is_shape_v<In> || raw::rank == 2,
                      "attention_pooling: input must be <length, channels>; got a tensor of another rank");

    public:
        using input = shape<raw::rows, raw::last>;  // In, or after a misuse what the layers after it accept
        static constexpr std::size_t length = input::first;
        static constexpr std::size_t channels = input::last;
        static constexpr std::size_t rows = Rows;
        using output = std::conditional_t<Rows == 1, shape<channels>, shape<Rows, channels>>;
        using spec = attention_pooling;

        static constexpr std::size_t weight_size = channels * Dim;
        static constexpr std::size_t bias_offset = weight_size;
        static constexpr std::size_t context_offset = bias_offset + Dim;
        static constexpr std::size_t param_size = context_offset + Dim * Rows;

        static constexpr std::size_t attention_size = Rows * length;
        static constexpr std::size_t hidden_size = length * Dim;
        static constexpr std::size_t cache_size = 4 * attention_size + 2 * hidden_size;

        bind() = default;
        explicit bind(const attention_pooling&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {channels, Dim}, param_kind::weight, channels, Dim, 0);
            pl.add("bias", {Dim}, param_kind::bias, channels, Dim, bias_offset);
            pl.add("context", {Dim, Rows}, param_kind::weight, Dim, Rows, context_offset);
        }

        // Sample b's attention weights (Rows x positions, rows sum to 1) from the latest forward pass over `batch`
        // samples, read in place from the layer's cache (host memory).
        template <class T>
        static tensor_view<const T, shape<Rows, length>> attention(const T* cache, std::size_t batch, std::size_t b) {
            if (b >= batch)
                throw argument_error("attention_pooling::attention: sample " + std::to_string(b) +
                                     " outside a batch of " + std::to_string(batch));
            return {cache + b * attention_size, 1};
        }

        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T* cache) const {
            using O = ops_of<Ctx>;
            const std::size_t batch = in.batch();
            check_batch(batch, out.batch(), "attention_pooling");
            const regions<T> r(cache, batch);
            const T* w = params;
            const T* bias = params + bias_offset;
            const T* u = params + context_offset;
            const std::size_t positions = batch * length;
            O::for_each(ctx, positions * Dim, kernels::broadcast_rows<T>{r.hidden, bias, Dim});
            O::gemm(ctx, trans::no, trans::no, positions, Dim, channels, T(1), in.data(), channels, w, Dim, T(1),
                    r.hidden, Dim);
            O::for_each(ctx, positions * Dim, kernels::tanh_values<T>{r.hidden});
            O::gemm(ctx, trans::no, trans::no, positions, Rows, Dim, T(1), r.hidden, Dim, u, Rows, T(0), r.scores,
                    Rows);
            O::for_each(ctx, batch * Rows, kernels::position_softmax<T>{r.scores, r.attn, length, Rows});
            O::gemm_batched(ctx, trans::no, trans::no, Rows, channels, length, T(1), r.attn, length, attention_size,
                            in.data(), channels, length * channels, T(0), out.data(), channels, Rows * channels, batch);
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T* cache) const {
            using O = ops_of<Ctx>;
            const std::size_t batch = in.batch();
            const regions<T> r(cache, batch);
            const T* w = params;
            const T* u = params + context_offset;
            const std::size_t positions = batch * length;
            // dA = dY x^T; dx = A^T dY (the pooling's share)
            O::gemm_batched(ctx, trans::no, trans::yes, Rows, length, channels, T(1), dout.data(), channels,
                            Rows * channels, in.data(), channels, length * channels, T(0), r.dattn, length,
                            attention_size, batch);
            if (!din.empty())
                O::gemm_batched(ctx, trans::yes, trans::no, length, channels, Rows, T(1), r.attn, length,
                                attention_size, dout.data(), channels, Rows * channels, T(0), din.data(), channels,
                                length * channels, batch);
            // dS (in the scores' [positions, Rows] layout), du += U^T dS, dU = dS u^T, dZ = dU (1 - U^2)
            O::for_each(ctx, batch * Rows,
                        kernels::position_softmax_backward<T>{r.attn, r.dattn, r.dscores, length, Rows});
            O::gemm(ctx, trans::yes, trans::no, Dim, Rows, positions, T(1), r.hidden, Dim, r.dscores, Rows, T(1),
                    grads + context_offset, Rows);
            O::gemm(ctx, trans::no, trans::yes, positions, Dim, Rows, T(1), r.dscores, Rows, u, Rows, T(0), r.dhidden,
                    Dim);
            O::for_each(ctx, positions * Dim, kernels::tanh_backward_values<T>{r.dhidden, r.hidden});
            // dW += x^T dZ, db += column sums of dZ, dx += dZ W^T
            O::gemm(ctx, trans::yes, trans::no, channels, Dim, positions, T(1), in.data(), channels, r.dhidden, Dim,
                    T(1), grads, Dim);
            O::for_each(ctx, Dim, kernels::add_column_sums<T>{r.dhidden, positions, Dim, grads + bias_offset});
            if (!din.empty())
                O::gemm(ctx, trans::no, trans::yes, positions, channels, Dim, T(1), r.dhidden, Dim, w, Dim, T(1),
                        din.data(), channels);
        }

    private:
        // The cache's regions for a batch, in order (each holds the whole batch, sample-major).
        template <class T>
        struct regions {
            T *attn, *hidden, *scores, *dattn, *dscores, *dhidden;
            regions(T* c, std::size_t batch)
                : attn(c),
                  hidden(attn + batch * attention_size),
                  scores(hidden + batch * hidden_size),
                  dattn(scores + batch * attention_size),
                  dscores(dattn + batch * attention_size),
                  dhidden(dscores + batch * attention_size) {}
        };
    };
};

}  // namespace helix
