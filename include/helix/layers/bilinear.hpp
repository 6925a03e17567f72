// bilinear<>: every pair of rows of two sequences scored by one bilinear form.
// Input pair_of<<La, C>, <Lb, C>>; output <La, Lb>: M = A W B^T + b.
// Parameters: weight [C, C], bias [1] (one scalar, as in EPIANN's interaction map).
// The cache keeps A W (La x C), which the gradient with respect to B needs.
#pragma once

#include <vector>

#include "helix/backend/cpu/gemm.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

template <bias Bias = bias::on>
struct bilinear {
    template <io_type In>
    struct bind {
        static_assert(is_pair_v<In>, "bilinear: input is a single tensor; bilinear takes pair_of<<La, C>, <Lb, C>>");

    private:
        using pair_in = detail::pair_or<In, pair_of<shape<1, 1>, shape<1, 1>>>;
        static constexpr bool valid = is_pair_v<In> && pair_in::first_type::rank == 2 &&
                                      pair_in::second_type::rank == 2 &&
                                      pair_in::first_type::last == pair_in::second_type::last;
        static_assert(!is_pair_v<In> || valid,
                      "bilinear: both halves must be <length, channels> with the same number of channels");
        using safe_in = std::conditional_t<valid, pair_in, pair_of<shape<1, 1>, shape<1, 1>>>;

    public:
        static constexpr std::size_t rows_a = safe_in::first_type::first;
        static constexpr std::size_t rows_b = safe_in::second_type::first;
        static constexpr std::size_t channels = safe_in::first_type::last;
        using input = safe_in;
        using output = shape<rows_a, rows_b>;
        using spec = bilinear;  // names the layer to other backends (device_layer)
        static constexpr std::size_t weight_size = channels * channels;
        static constexpr std::size_t param_size = weight_size + (Bias == bias::on ? 1 : 0);
        static constexpr std::size_t cache_size = rows_a * channels;

        bind() = default;
        explicit bind(const bilinear&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {channels, channels}, param_kind::weight, channels, channels, 0);
            if constexpr (Bias == bias::on) pl.add("bias", {1}, param_kind::bias, channels, 1, weight_size);
        }

        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out,
                     T* cache) const {
            check_batch(in.batch(), out.batch(), "bilinear");
            using backend::cpu::transpose;
            // A W for the whole batch as one product (samples and their cache rows are contiguous): W is packed
            // once instead of once per sample.
            backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, in.batch() * rows_a, channels, channels, T(1),
                                  in.first.data(), channels, params, channels, T(0), cache, channels);
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                const T* aw = cache + b * cache_size;
                T* m = out.sample(b);
                if constexpr (Bias == bias::on) std::fill(m, m + output::size, params[weight_size]);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, rows_a, rows_b, channels, T(1), aw, channels,
                                      in.second.sample(b), channels, Bias == bias::on ? T(1) : T(0), m, rows_b);
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T* params, T* grads, view_t<const T, input> in,
                      view_t<const T, output>, view_t<const T, output> dout, view_t<T, input> din, T* cache) const {
            using backend::cpu::transpose;
            const std::size_t batch = in.batch();
            // d(AW) = dM B and dB = dM^T (AW) for every sample, then dA = d(AW) W^T for the whole batch at once.
            thread_local std::vector<T> scratch;  // kept between calls: a fresh 4 MB would be page faults every step
            scratch.resize(batch * rows_a * channels);
            T* const daw = scratch.data();  // the caller's thread's scratch, also inside the parallel loop
            parallel_for(ctx, batch, [&](std::size_t b) {
                const T* dm = dout.sample(b);
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::no, rows_a, channels, rows_b, T(1), dm, rows_b,
                                      in.second.sample(b), channels, T(0), daw + b * rows_a * channels, channels);
                if (din.empty()) return;
                backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, rows_b, channels, rows_a, T(1), dm, rows_b,
                                      cache + b * cache_size, channels, T(0), din.second.sample(b), channels);
            });
            if (!din.empty())
                backend::cpu::gemm<T>(ctx, transpose::no, transpose::yes, batch * rows_a, channels, channels, T(1),
                                      daw, channels, params, channels, T(0), din.first.data(), channels);
            // dW += A^T d(AW) over the whole batch at once (samples are contiguous).
            backend::cpu::gemm<T>(ctx, transpose::yes, transpose::no, channels, channels, batch * rows_a, T(1),
                                  in.first.data(), channels, daw, channels, T(1), grads, channels);
            for (std::size_t b = 0; b < batch; ++b) {
                if constexpr (Bias == bias::on) {
                    const T* dm = dout.sample(b);
                    T s = 0;
                    for (std::size_t i = 0; i < output::size; ++i) s += dm[i];
                    grads[weight_size] += s;
                }
            }
        }
    };
};

}  // namespace helix
