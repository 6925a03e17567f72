// epiann's cuda_network (examples/epiann/device/cuda_network.hpp) against the host network it mirrors: the small
// model, the same start, three training steps with dropout on and host Adam on both; the losses of every step and
// the final weights (tensor by tensor) must agree within float rounding. Compiled by the C++ compiler: cuda_network's
// header needs no CUDA headers; the definitions come from epiann_cuda.
#include <cmath>
#include <cstdio>
#include <string>
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
    fixed_batch() {
        counter_rng rng(31);
        for (std::size_t r = 0; r < n * 1000; ++r) enhancer.data()[r * 4 + rng.next_below(4)] = 1;
        for (std::size_t r = 0; r < n * 800; ++r) promoter.data()[r * 4 + rng.next_below(4)] = 1;
        for (std::size_t i = 0; i < n; ++i) label[i] = float(i % 2);
        for (std::size_t i = 0; i < 2 * n; ++i) {
            enhancer_coords[i] = float(rng.next_normal());
            promoter_coords[i] = float(rng.next_normal());
        }
    }
};

// One step of EPIANN's loss (10 x BCE + the two coordinate MSEs) and host Adam, on either network.
template <class Net>
double train_step(Net& net, cpu_context& ctx, adam<float>& optimizer, const fixed_batch& b) {
    const auto in = make_pair_view(b.enhancer.cview(), b.promoter.cview());
    const auto out = net.forward(ctx, in);
    const double loss = bce_with_logits(out.first, b.label.cview(), out.gradient.first, 10.f) +
                        mse(out.second.first, b.enhancer_coords.cview(), out.gradient.second.first) +
                        mse(out.second.second, b.promoter_coords.cview(), out.gradient.second.second);
    net.zero_grad();
    net.backward(ctx, in);
    optimizer.step(net);
    return loss;
}

}  // namespace

int check_cuda_network() {
    int mismatches = 0;
    const fixed_batch batch;
    small_net cpu_net, device_host;  // device_host: the master copy cuda_network trains through the GPU
    cpu_net.init(5, init::truncated_normal{});
    std::copy(cpu_net.parameters().begin(), cpu_net.parameters().end(), device_host.parameters().begin());
    epiann::cuda_network<small_net> gpu_net(device_host);
    cpu_context cpu_ctx(2, 9), gpu_ctx(2, 9);
    cpu_ctx.training = gpu_ctx.training = true;
    adam<float> cpu_adam(1e-3f), gpu_adam(1e-3f);
    for (int step = 1; step <= 3; ++step) {
        const double want = train_step(cpu_net, cpu_ctx, cpu_adam, batch), got = train_step(gpu_net, gpu_ctx, gpu_adam, batch);
        const double relative = std::fabs(got - want) / std::fmax(std::fabs(want), 1e-30);
        const bool ok = relative <= 1e-4;
        std::printf("%s cuda_network step %d loss: %.7g, host network %.7g (relative %.2g)\n", ok ? "ok  " : "FAIL", step, got,
                    want, relative);
        mismatches += !ok;
    }
    for (const auto& t : cpu_net.parameter_info()) {
        double scale = 0, worst = 0;
        for (std::size_t i = 0; i < t.size; ++i) {
            const double w = cpu_net.parameters()[t.offset + i], g = device_host.parameters()[t.offset + i];
            scale = std::fmax(scale, std::fabs(w));
            const double e = std::fabs(g - w);
            if (!(e <= worst)) worst = e;
        }
        if (!(worst <= 1e-3 * scale)) {
            std::printf("FAIL cuda_network weights of %s after 3 steps: worst |cuda - cpu| %.3g (largest |cpu| %.3g)\n",
                        t.name.c_str(), worst, scale);
            ++mismatches;
        }
    }
    std::printf("%s cuda_network weights after 3 steps, %zu tensors compared\n", mismatches ? "FAIL" : "ok  ",
                cpu_net.parameter_info().size());
    return mismatches;
}

}  // namespace helix_cuda_test
