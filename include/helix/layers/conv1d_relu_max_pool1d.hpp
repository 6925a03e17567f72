// conv1d_relu_max_pool1d<Filters, Width, PoolWidth, PoolStride, Padding, Bias>: conv1d, relu and max_pool1d in one
// layer, computing what seq{conv1d<Filters, Width, Bias>, relu, max_pool1d<PoolWidth, PoolStride, Padding>} does.
//
// Input <L, C>; output <pooled length, Filters> with the pooled length of max_pool1d on L - Width + 1 positions
// (padding::valid or TensorFlow's padding::same). Parameters: exactly conv1d's (weight [Width, C, Filters], then
// bias [Filters] with bias::on), under the same name, so checkpoints of either load into the other.
// Why: the pre-pool activations (EPIANN: 2986 x 256 floats per enhancer) are never stored: only the pooled values
// and the position each came from (the cache). Forward adds the filter column of every non-zero input value, a
// gather of Width / 3 table columns per output on one-hot DNA (backend/cpu/conv_relu_pool.hpp). Backward gives weight
// gradients from the pooled argmax positions only, and an input gradient only when din is not empty (the network
// passes an empty din for its input data).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "helix/backend/cpu/conv_relu_pool.hpp"
#include "helix/core/aligned_buffer.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/layers/layer.hpp"
#include "helix/layers/max_pool1d.hpp"

namespace helix {

template <std::size_t Filters, std::size_t Width, std::size_t PoolWidth, std::size_t PoolStride = PoolWidth,
          padding Padding = padding::valid, bias Bias = bias::off>
struct conv1d_relu_max_pool1d {
    static_assert(Filters > 0 && Width > 0, "conv1d_relu_max_pool1d: Filters and Width must be positive");
    static_assert(PoolWidth > 0 && PoolStride > 0, "conv1d_relu_max_pool1d: pool width and stride must be positive");

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "conv1d_relu_max_pool1d: input is a pair of tensors; it takes one <length, channels> tensor "
                      "(wrap it in twin<> to apply one filter bank to both halves)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank == 2,
                      "conv1d_relu_max_pool1d: input must have rank 2, <length, channels>");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank != 2 || Width <= detail::shape_or<In>::first,
                      "conv1d_relu_max_pool1d: kernel width is larger than the input length");

    private:
        static constexpr bool valid_conv = is_shape_v<In> && detail::shape_or<In>::rank == 2 &&
                                           Width <= detail::shape_or<In>::first;
        using in_shape = std::conditional_t<valid_conv, detail::shape_or<In>, shape<Width + PoolWidth, 1>>;
        // The pooling geometry is max_pool1d's, on the convolution's output.
        using pool = typename max_pool1d<PoolWidth, PoolStride, Padding>::template bind<
            shape<in_shape::first - Width + 1, Filters>>;

    public:
        static constexpr std::size_t length = in_shape::first;
        static constexpr std::size_t channels = in_shape::last;
        static constexpr std::size_t conv_length = length - Width + 1;
        static constexpr std::size_t out_length = pool::out_length;
        static constexpr std::size_t pad_before = pool::pad_before;
        using input = in_shape;
        using output = shape<out_length, Filters>;
        using spec = conv1d_relu_max_pool1d;  // names the layer to other backends (device_layer)
        static constexpr std::size_t weight_size = Width * channels * Filters;
        static constexpr std::size_t param_size = weight_size + (Bias == bias::on ? Filters : 0);
        // One argmax position (std::int32_t, in a slot of T) per pooled value.
        static constexpr std::size_t cache_size = output::size;
        static_assert(length < (std::size_t{1} << 24), "conv1d_relu_max_pool1d: input too long for 32-bit positions");
        using geometry = backend::cpu::conv_pool_geometry<length, channels, Filters, Width, PoolWidth, PoolStride,
                                                          pad_before, out_length>;

        bind() = default;
        explicit bind(const conv1d_relu_max_pool1d&) {}

        void describe(param_list& pl) const {
            pl.add("weight", {Width, channels, Filters}, param_kind::weight, Width * channels, Width * Filters, 0);
            if constexpr (Bias == bias::on)
                pl.add("bias", {Filters}, param_kind::bias, Width * channels, Filters, weight_size);
        }

        template <class T>
        void forward(const cpu_context& ctx, const T* params, view_t<const T, input> in, view_t<T, output> out,
                     T* cache) const {
            static_assert(sizeof(T) >= sizeof(std::int32_t));
            check_batch(in.batch(), out.batch(), "conv1d_relu_max_pool1d");
            aligned_buffer<T> table(geometry::table_size);
            backend::cpu::build_padded_table<geometry>(params, table.data());
            // Outside training the pool positions are only needed if backward follows (a gradient check, a
            // saliency map): one-hot samples then skip them and mark the cache, and backward recomputes them.
            parallel_for(ctx, in.batch(), [&](std::size_t b) {
                auto* arg = reinterpret_cast<std::int32_t*>(cache + b * cache_size);
                forward_sample(params, table.data(), in.sample(b), out.sample(b), arg, ctx.training);
            });
        }

        template <class T>
        void backward(const cpu_context& ctx, const T* params, T* grads, view_t<const T, input> in,
                      view_t<const T, output> out, view_t<const T, output> dout, view_t<T, input> din,
                      T* cache) const {
            constexpr bool has_bias = Bias == bias::on;
            const std::size_t batch = in.batch();
            // Each thread sums its contiguous share of samples into its own buffer; the buffers are then added in
            // order, so the result depends on the thread count only, as everywhere in helix.
            // One-hot samples add into a padded table (one zero row per tap for N), folded into dw at the end.
            const std::size_t parts = std::min<std::size_t>(batch, std::size_t(ctx.threads()));
            std::vector<T> partial(parts * param_size, T(0)), partial_table(parts * geometry::table_size, T(0));
            aligned_buffer<T> table;  // the forward table, for samples whose positions were skipped
            for (std::size_t b = 0; b < batch && table.size() == 0; ++b)
                if (!has_positions(cache + b * cache_size)) {
                    table = aligned_buffer<T>(geometry::table_size);
                    backend::cpu::build_padded_table<geometry>(params, table.data());
                }
            parallel_for(ctx, parts, [&](std::size_t part) {
                T* dw = partial.data() + part * param_size;
                T* dtable = partial_table.data() + part * geometry::table_size;
                thread_local std::vector<std::int32_t> row_offset;
                row_offset.resize(length);
                thread_local std::vector<T> recomputed_y;
                for (std::size_t b = part * batch / parts; b < (part + 1) * batch / parts; ++b) {
                    auto* arg = reinterpret_cast<std::int32_t*>(cache + b * cache_size);
                    if (!has_positions(cache + b * cache_size)) {
                        recomputed_y.resize(output::size);
                        forward_sample(params, table.data(), in.sample(b), recomputed_y.data(), arg, true);
                    }
                    if (!has_bias && backend::cpu::encode_one_hot<geometry>(in.sample(b), row_offset.data()))
                        backend::cpu::conv_pool_weight_gradient_one_hot<geometry, T>(row_offset.data(), out.sample(b),
                                                                                    dout.sample(b), arg, dtable);
                    else
                        backend::cpu::conv_pool_weight_gradient<geometry, T, has_bias>(
                            in.sample(b), out.sample(b), dout.sample(b), arg, dw, dw + weight_size);
                    if (!din.empty())
                        backend::cpu::conv_pool_input_gradient<geometry, T>(params, out.sample(b), dout.sample(b), arg,
                                                                           din.sample(b));
                }
            });
            for (std::size_t part = 0; part < parts; ++part) {
                T* dw = partial.data() + part * param_size;
                const T* dtable = partial_table.data() + part * geometry::table_size;
                backend::cpu::fold_table_gradient<geometry>(dtable, dw);
                for (std::size_t i = 0; i < param_size; ++i) grads[i] += dw[i];
            }
        }

    private:
        // A cache whose first position is this holds no pool positions (an eval-mode forward on one-hot input).
        static constexpr std::int32_t no_positions = -1;

        template <class T>
        static bool has_positions(const T* sample_cache) {
            return *reinterpret_cast<const std::int32_t*>(sample_cache) != no_positions;
        }

        // One sample: pooled y and, with `positions` (or on input that is not one-hot), the argmax of each pooled
        // value in arg; table is build_padded_table's.
        template <class T>
        static void forward_sample(const T* params, const T* table, const T* x, T* y, std::int32_t* arg,
                                   bool positions) {
            constexpr bool has_bias = Bias == bias::on;
            const T* bias_values = has_bias ? params + weight_size : nullptr;
            thread_local std::vector<std::int32_t> row_offset;
            row_offset.resize(length);
            if (backend::cpu::encode_one_hot<geometry>(x, row_offset.data())) {
                const std::int32_t* offsets = row_offset.data();
                if (positions) {
                    backend::cpu::run_kernel<backend::cpu::conv_pool_one_hot_forward<geometry, T, has_bias, true>>(
                        table, offsets, bias_values, y, arg);
                } else {
                    backend::cpu::run_kernel<backend::cpu::conv_pool_one_hot_forward<geometry, T, has_bias, false>>(
                        table, offsets, bias_values, y, arg);
                    arg[0] = no_positions;
                }
            } else {
                thread_local backend::cpu::sparse_rows<T> rows;
                rows.template build<geometry>(x);
                backend::cpu::run_kernel<backend::cpu::conv_pool_sparse_forward<geometry, T, has_bias>>(
                    params, static_cast<const backend::cpu::sparse_rows<T>*>(&rows), bias_values, y, arg);
            }
        }
    };
};

}  // namespace helix
