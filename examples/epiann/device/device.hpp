// --device: where `epiann train|evaluate|predict|explain` compute. cpu is the default; cuda needs an epiann built
// with CUDA (HELIX_ENABLE_CUDA=ON and nvcc) and a device at run time. with_device(kind, net, f) calls f with the
// network itself (cpu) or with a cuda_network mirror of it (cuda), which has the host network's interface, so the
// trainer and the scoring code are the same for both.
#pragma once

#include <string>
#include <utility>

#include "common/errors.hpp"

#if defined(EPIANN_WITH_CUDA)
#include "device/cuda_network.hpp"
#endif

namespace epiann {

enum class device_kind { cpu, cuda };

inline device_kind parse_device(const std::string& name) {
    if (name == "cpu") return device_kind::cpu;
    if (name == "cuda") return device_kind::cuda;
    throw input_error("unknown device \"" + name + "\": expected cpu or cuda");
}

inline constexpr bool built_with_cuda =
#if defined(EPIANN_WITH_CUDA)
    true;
#else
    false;
#endif

// Throws input_error when the device cannot be used: "built without CUDA", or "no CUDA device" with the reason.
inline void require_device(device_kind kind) {
    if (kind == device_kind::cpu) return;
#if defined(EPIANN_WITH_CUDA)
    if (const std::string problem = cuda_device_problem(); !problem.empty())
        throw input_error("--device cuda: no CUDA device (" + problem + "); use --device cpu");
#else
    throw input_error("--device cuda: this epiann was built without CUDA (configure with -DHELIX_ENABLE_CUDA=ON and "
                      "nvcc available); use --device cpu");
#endif
}

template <class Net, class F>
decltype(auto) with_device(device_kind kind, Net& net, F&& f) {
    require_device(kind);
#if defined(EPIANN_WITH_CUDA)
    if (kind == device_kind::cuda) {
        cuda_network<Net> mirror(net);
        return std::forward<F>(f)(mirror);
    }
#endif
    return std::forward<F>(f)(net);
}

}  // namespace epiann
