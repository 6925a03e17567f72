// epiann's cuda_network (examples/epiann/device/cuda_network.hpp) against the host network it mirrors: the small
// model, the same start, four training steps with dropout on, three ways (host Adam; device Adam with the next
// batch sent ahead; host Adam then device Adam, as a resumed run); the losses of every step, the final weights and
// Adam's moments (tensor by tensor) must agree within float rounding. Compiled by the C++ compiler: cuda_network's
// header needs no CUDA headers; the definitions come from epiann_cuda.
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <helix/helix.hpp>

#include "cases.hpp"
#include "device/cuda_network.hpp"
#include "train/model_variants.hpp"

namespace helix_cuda_test {
namespace {

using small_net = epiann::small_variant::network;

struct fixed_batch {
    static constexpr std::size_t n = 16;
    tensor<float, shape<1000, 4>> enhancer{n};
    tensor<float, shape<800, 4>> promoter{n};
    tensor<float, shape<1>> label{n};
    tensor<float, shape<2>> enhancer_coords{n}, promoter_coords{n};
    explicit fixed_batch(std::uint64_t seed) {
        counter_rng rng(seed);
        for (std::size_t r = 0; r < n * 1000; ++r) enhancer.data()[r * 4 + rng.next_below(4)] = 1;
        for (std::size_t r = 0; r < n * 800; ++r) promoter.data()[r * 4 + rng.next_below(4)] = 1;
        for (std::size_t i = 0; i < n; ++i) label[i] = float(i % 2);
        for (std::size_t i = 0; i < 2 * n; ++i) {
            enhancer_coords[i] = float(rng.next_normal());
            promoter_coords[i] = float(rng.next_normal());
        }
    }
};

// One step of EPIANN's loss (10 x BCE + the two coordinate MSEs) and Adam, on either network: the host's Adam on
// the host arenas, or (on_device) cuda_network's Adam on the device, after sending `next` ahead when there is one.
// A non-finite value found on the device gives a NaN loss, which no comparison passes.
template <class Net>
double train_step(Net& net, cpu_context& ctx, adam<float>& optimizer, const fixed_batch& b, bool on_device = false,
                  const fixed_batch* next = nullptr) {
    const auto in = make_pair_view(b.enhancer.cview(), b.promoter.cview());
    const auto out = net.forward(ctx, in);
    const double loss = bce_with_logits(out.first, b.label.cview(), out.gradient.first, 10.f) +
                        mse(out.second.first, b.enhancer_coords.cview(), out.gradient.second.first) +
                        mse(out.second.second, b.promoter_coords.cview(), out.gradient.second.second);
    net.zero_grad();
    net.backward(ctx, in);
    if constexpr (requires { net.adam_step(optimizer); }) {
        if (on_device) {
            if (next != nullptr) net.prefetch(make_pair_view(next->enhancer.cview(), next->promoter.cview()));
            const auto bad = net.adam_step(optimizer);
            if (!bad.gradient.empty() || !bad.weight.empty()) {
                std::printf("FAIL cuda_network: non-finite %s%s\n", bad.gradient.c_str(), bad.weight.c_str());
                return std::nan("");
            }
            return loss;
        }
    }
    optimizer.step(net);
    return loss;
}

// The worst difference of two arenas, tensor by tensor, against each tensor's largest value.
int compare_arenas(const char* what, const std::vector<param_info>& info, std::span<const float> got, std::span<const float> want) {
    int mismatches = 0;
    for (const auto& t : info) {
        double scale = 0, worst = 0;
        for (std::size_t i = t.offset; i < t.offset + t.size; ++i) {
            scale = std::fmax(scale, std::fabs(double(want[i])));
            const double e = std::fabs(double(got[i]) - double(want[i]));
            if (!(e <= worst)) worst = e;
        }
        if (!(worst <= 1e-3 * scale)) {
            std::printf("FAIL cuda_network %s of %s: worst |cuda - cpu| %.3g (largest |cpu| %.3g)\n", what, t.name.c_str(), worst, scale);
            ++mismatches;
        }
    }
    std::printf("%s cuda_network %s, %zu tensors compared\n", mismatches ? "FAIL" : "ok  ", what, info.size());
    return mismatches;
}

}  // namespace

int check_cuda_network() {
    int mismatches = 0;
    const fixed_batch batches[2] = {fixed_batch(31), fixed_batch(32)};
    small_net cpu_net;
    cpu_net.init(5, init::truncated_normal{});
    // Three ways through the GPU, against the host network on the same four steps (batches 0, 1, 0, 1):
    //   host Adam: every step reads and writes the host arenas, so the device copies are refreshed each time;
    //   device Adam: the arenas and Adam's moments stay on the device, the next batch is sent ahead (prefetch);
    //   resumed: the first step with the host's Adam, then Adam on the device from the host's moments.
    const char* ways[] = {"host Adam", "device Adam with prefetch", "host Adam, then device Adam"};
    for (int way = 0; way < 3; ++way) {
        small_net reference = cpu_net, device_host = cpu_net;  // device_host: the master copy cuda_network trains
        epiann::cuda_network<small_net> gpu_net(device_host);
        cpu_context cpu_ctx(2, 9), gpu_ctx(2, 9);
        cpu_ctx.training = gpu_ctx.training = true;
        adam<float> cpu_adam(1e-3f), gpu_adam(1e-3f);
        for (int step = 0; step < 4; ++step) {
            const fixed_batch& b = batches[step % 2];
            const double want = train_step(reference, cpu_ctx, cpu_adam, b);
            const bool on_device = way == 1 || (way == 2 && step > 0);
            const fixed_batch* next = way == 1 && step < 3 ? &batches[(step + 1) % 2] : nullptr;
            const double got = train_step(gpu_net, gpu_ctx, gpu_adam, b, on_device, next);
            const double relative = std::fabs(got - want) / std::fmax(std::fabs(want), 1e-30);
            const bool ok = relative <= 1e-4;
            std::printf("%s cuda_network (%s) step %d loss: %.7g, host network %.7g (relative %.2g)\n", ok ? "ok  " : "FAIL",
                        ways[way], step + 1, got, want, relative);
            mismatches += !ok;
        }
        const std::string weights = std::string("weights after 4 steps (") + ways[way] + ")";
        mismatches += compare_arenas(weights.c_str(), reference.parameter_info(), std::as_const(gpu_net).parameters(),
                                     std::span<const float>(reference.parameters()));
        if (way > 0) {
            gpu_net.sync_optimizer(gpu_adam);
            const bool steps_ok = gpu_adam.steps() == cpu_adam.steps();
            std::printf("%s cuda_network (%s) Adam steps after sync_optimizer: %zu, host %zu\n", steps_ok ? "ok  " : "FAIL",
                        ways[way], gpu_adam.steps(), cpu_adam.steps());
            mismatches += !steps_ok;
            mismatches += compare_arenas("Adam's first moment", reference.parameter_info(), gpu_adam.first_moment(), cpu_adam.first_moment());
            mismatches += compare_arenas("Adam's second moment", reference.parameter_info(), gpu_adam.second_moment(),
                                         cpu_adam.second_moment());
        }
    }
    return mismatches;
}

}  // namespace helix_cuda_test
