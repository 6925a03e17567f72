// batch_norm{eps, momentum}: PyTorch's nn.BatchNorm1d(C) (affine, track_running_stats) on <L, C> (PyTorch's
// (N, C, L), channel-last here) or <C> (PyTorch's (N, C)): statistics per channel over batch x length.
//   training:   y = (x - mean_B) / sqrt(var_B + eps) * weight + bias with the batch's mean and biased variance;
//               running_mean += momentum (mean_B - running_mean), running_var likewise with the unbiased variance
//               (n / (n - 1) var_B, n = batch x length).
//   evaluation: the same with running_mean and running_var.
// Requires: one tensor <C> or <L, C>; eps >= 0 (default 1e-5), momentum in [0, 1] (default 0.1); while training
// more than one value per channel (batch x length > 1: PyTorch refuses the same; argument_error otherwise).
// Parameters (PyTorch's state_dict names and layout): weight [C] (gamma, init 1), bias [C] (beta, init 0), then the
// buffers running_mean [C] (init 0) and running_var [C] (init 1). PyTorch's num_batches_tracked is not kept (it only
// matters for momentum=None). Buffers are state, not parameters: no gradient reaches them and the optimisers leave them
// alone; a training forward updates them by writing through const_cast<T*>(params) (the one place a layer writes its
// parameter slice). Backward uses the mode of forward: batch statistics (recomputed from the input, bit for bit as
// forward computed them: no cache) while training, running statistics in evaluation.
// Data-parallel training: each process normalises by, and updates its running statistics from, its own share of the
// batch (no synchronised statistics); the processes' running statistics then differ slightly unless averaged.
// Device-generic (ops_of<Ctx>): the same code runs on the CPU and on CUDA.
#pragma once

#include <cmath>
#include <string>

#include "helix/backend/cpu/ops.hpp"
#include "helix/core/error.hpp"
#include "helix/core/ops.hpp"
#include "helix/kernels/norm_pool.hpp"
#include "helix/layers/layer.hpp"

namespace helix {

struct batch_norm {
    double eps = 1e-5;
    double momentum = 0.1;

    batch_norm() = default;
    explicit batch_norm(double e, double m = 0.1) : eps(e), momentum(m) { validate(e, m); }

    static void validate(double e, double m) {
        if (!(e >= 0.0 && std::isfinite(e)))
            throw argument_error("batch_norm: eps must be finite and >= 0, got " + std::to_string(e));
        if (!(m >= 0.0 && m <= 1.0))
            throw argument_error("batch_norm: momentum must be in [0, 1], got " + std::to_string(m));
    }

    template <io_type In>
    struct bind {
        static_assert(is_shape_v<In>,
                      "batch_norm: input is a pair of tensors; batch_norm takes one <channels> or <length, channels> "
                      "tensor (wrap it in twin<> to normalise both halves with the same weights)");
        static_assert(!is_shape_v<In> || detail::shape_or<In>::rank <= 2,
                      "batch_norm: input must be <channels> or <length, channels> (rank 1 or 2)");

    private:
        static constexpr bool valid_input = is_shape_v<In> && detail::shape_or<In>::rank <= 2;

    public:
        using input = std::conditional_t<valid_input, detail::shape_or<In>, shape<1>>;
        using output = input;
        using spec = batch_norm;
        static constexpr std::size_t channels = input::last;
        static constexpr std::size_t length = input::rows;  // 1 for <C>
        static constexpr std::size_t param_size = 4 * channels;
        static constexpr std::size_t cache_size = 0;
        // Offsets in the parameter slice.
        static constexpr std::size_t weight_offset = 0, bias_offset = channels, running_mean_offset = 2 * channels,
                                     running_var_offset = 3 * channels;

        double eps = 1e-5;
        double momentum = 0.1;
        bind() = default;
        explicit bind(const batch_norm& s) : eps(s.eps), momentum(s.momentum) { validate(s.eps, s.momentum); }

        void describe(param_list& pl) const {
            pl.add("weight", {channels}, param_kind::weight, channels, channels, weight_offset);
            pl.initialise_last(param_init::constant, 1.0);
            pl.add("bias", {channels}, param_kind::bias, channels, channels, bias_offset);
            pl.initialise_last(param_init::constant, 0.0);
            pl.add_buffer("running_mean", {channels}, 0.0, running_mean_offset);
            pl.add_buffer("running_var", {channels}, 1.0, running_var_offset);
        }

        // While training, updates the buffers running_mean and running_var inside `params`.
        template <class T, class Ctx>
        void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in,
                     view_t<T, output, device_of<Ctx>> out, T*) const {
            check_batch(in.batch(), out.batch(), "batch_norm");
            const std::size_t rows = in.batch() * length;
            if (ctx.training && rows < 2)
                throw argument_error("batch_norm: training needs more than one value per channel, got a batch of " +
                                     std::to_string(in.batch()) + " on " + input::str() +
                                     " (use a larger batch, or evaluation mode)");
            if (!ctx.training) {  // a row per index, channels contiguous
                ops_of<Ctx>::for_each(ctx, rows,
                                      kernels::batch_norm_evaluate_rows<T>{in.data(), out.data(), params + weight_offset,
                                                                           params + bias_offset,
                                                                           params + running_mean_offset,
                                                                           params + running_var_offset, channels, T(eps)},
                                      4 * channels);
                return;
            }
            T* state = const_cast<T*>(params);  // the buffers: state a training forward updates
            ops_of<Ctx>::for_each(ctx, channels,
                                  kernels::batch_norm_forward<T>{in.data(), out.data(), params + weight_offset,
                                                                 params + bias_offset, state + running_mean_offset,
                                                                 state + running_var_offset, rows, channels, T(eps),
                                                                 T(momentum), bool(ctx.training)});
        }

        template <class T, class Ctx>
        void backward(Ctx& ctx, const T* params, T* grads, view_t<const T, input, device_of<Ctx>> in,
                      view_t<const T, output, device_of<Ctx>>, view_t<const T, output, device_of<Ctx>> dout,
                      view_t<T, input, device_of<Ctx>> din, T*) const {
            const std::size_t rows = in.batch() * length;
            ops_of<Ctx>::for_each(ctx, channels,
                                  kernels::batch_norm_backward<T>{in.data(), dout.data(), params + weight_offset,
                                                                  params + running_mean_offset,
                                                                  params + running_var_offset, grads + weight_offset,
                                                                  din.empty() ? nullptr : din.data(), rows, channels,
                                                                  T(eps), bool(ctx.training)});
        }
    };
};

}  // namespace helix
