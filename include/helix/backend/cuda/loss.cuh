// Losses on device tensors: the per-value terms and gradients are computed on the device by the HELIX_HD functors
// of kernels/loss.hpp; the terms are copied to the host and summed there in double, in index order, as the CPU
// losses do (the copy is one value per prediction: 64 logits for an EPIANN batch).
// Same contract as loss/*.hpp: writes weight * d(loss)/d(prediction) into grad when it is given, returns
// weight * loss. Synchronises the stream (the returned value is on the host).
#pragma once

#include <vector>

#include "helix/backend/cuda/launch.cuh"
#include "helix/kernels/loss.hpp"

namespace helix::cuda {

template <class T, class S>
T bce_with_logits(context& ctx, tensor_view<const T, S, cuda_device> logits, tensor_view<const T, S, cuda_device> targets,
                  tensor_view<T, S, cuda_device> grad = {}, T weight = T(1)) {
    check_batch(logits.batch(), targets.batch(), "cuda::bce_with_logits (targets)");
    if (!grad.empty()) check_batch(logits.batch(), grad.batch(), "cuda::bce_with_logits (gradient)");
    const std::size_t n = logits.size();
    if (n == 0) return T(0);
    T* terms = ctx.scratch<T>(n);
    const T* x = logits.data();
    const T* y = targets.data();
    T* g = grad.empty() ? nullptr : grad.data();
    const T scale = weight / T(n);
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) {
        terms[i] = kernels::bce_with_logits_term(x[i], y[i]);
        if (g) g[i] = scale * kernels::bce_with_logits_slope(x[i], y[i]);
    }, "bce_with_logits");
    std::vector<T> host(n);
    copy_to_host(ctx.stream(), static_cast<const T*>(terms), host.data(), n);
    double total = 0;
    for (const T t : host) total += double(t);
    return weight * T(total / double(n));
}

template <class T, class S>
T mse(context& ctx, tensor_view<const T, S, cuda_device> prediction, tensor_view<const T, S, cuda_device> target,
      tensor_view<T, S, cuda_device> grad = {}, T weight = T(1)) {
    check_batch(prediction.batch(), target.batch(), "cuda::mse (target)");
    if (!grad.empty()) check_batch(prediction.batch(), grad.batch(), "cuda::mse (gradient)");
    const std::size_t n = prediction.size();
    if (n == 0) return T(0);
    T* diffs = ctx.scratch<T>(n);
    const T* p = prediction.data();
    const T* t = target.data();
    T* g = grad.empty() ? nullptr : grad.data();
    const T scale = weight * T(2) / T(n);
    parallel_for(ctx, n, HELIX_DEVICE_LAMBDA(std::size_t i) {
        const T d = p[i] - t[i];
        diffs[i] = d;
        if (g) g[i] = scale * d;
    }, "mse");
    std::vector<T> host(n);
    copy_to_host(ctx.stream(), static_cast<const T*>(diffs), host.data(), n);
    double total = 0;
    for (const T d : host) total += double(d) * double(d);
    return weight * T(total / double(n));
}

}  // namespace helix::cuda
