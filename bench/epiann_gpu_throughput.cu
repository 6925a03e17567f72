// epiann_gpu_throughput: EPIANN training or inference throughput on a CUDA device, timed as bench/epiann_throughput.cpp
// times the CPU (two warm-up steps, then the median of --steps timed steps; the same batch, targets and loss) and
// printed in its one-line format, so scripts/gpu-check.sh can set it beside bench/epiann_torch_gpu.py.
// Two paths, named in the output line:
//   device  helix::cuda::network + cuda::adam + the CUDA losses: parameters, gradients and Adam's moments stay on the
//           device; per step only the loss terms (one value per prediction) and, in inference, the logits come back.
//   mirror  epiann::cuda_network, what `epiann train|evaluate|predict --device cuda` runs, with whatever it copies
//           between host and device per step; its own Adam step (adam_step) where it has one, else the host's Adam.
// A step ends when the device has finished it (the stream is synchronised inside the timing).
// Usage: epiann_gpu_throughput [--mode train|infer] [--batch 64] [--steps 10] [--size paper|reduced]
//                              [--path device|mirror] [--threads 2 (host threads of the mirror path)]
// Exits 77 when no CUDA device answers, 2 on bad options, 1 on a CUDA error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <helix/backend/cuda/backend.cuh>

#include "device/cuda_network.hpp"
#include "epiann_workload.hpp"
#include "throughput_options.hpp"

namespace {

using options = helix_bench::throughput_options;

std::string device_name() {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "unknown";
    std::string name = prop.name;
    std::replace(name.begin(), name.end(), ' ', '_');  // one token in the output line
    return name;
}

void report(const options& o, const std::vector<double>& timed, float loss) {
    std::vector<double> seconds = timed;
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("helix-cuda %s path=%s mode=%s batch=%zu threads=%d s/step=%.4f examples/s=%.1f gpu=%s (loss %.4f)\n",
                o.size.c_str(), o.path.c_str(), o.mode.c_str(), o.batch, o.threads, median, double(o.batch) / median,
                device_name().c_str(), double(loss));
}

// Times `step` (returns the loss, or 0 in inference): two warm-up calls, then o.steps timed ones.
template <class Step>
void time_steps(const options& o, Step&& step) {
    std::vector<double> seconds;
    float loss = 0;
    for (std::size_t i = 0; i < o.steps + 2; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        loss = step();
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        if (i >= 2) seconds.push_back(dt.count());
    }
    report(o, seconds, loss);
}

// helix::cuda::network, everything on the device.
template <std::size_t LE, std::size_t LP, class Model>
void run_device(const options& o, const Model& spec) {
    using In = epiann::epiann_input<LE, LP>;
    helix::network<In, Model, float> host(spec);
    host.init(1, helix::init::truncated_normal{0.1, 0.1});
    const helix_bench::epiann_batch<LE, LP> batch(o.batch, 3);

    helix::cuda::context ctx(7);
    const cudaStream_t stream = ctx.stream();
    helix::cuda::network<In, Model, float> net(ctx, host.model());
    net.upload_parameters(ctx, host.parameters());
    // The pair input as view_at lays it out: every enhancer, then every promoter.
    helix::cuda::device_buffer<float> input(o.batch * helix::io_size<In>, stream);
    helix::cuda::copy_to_device(stream, batch.enhancer.data(), input.data(), batch.enhancer.size());
    helix::cuda::copy_to_device(stream, batch.promoter.data(), input.data() + batch.enhancer.size(), batch.promoter.size());
    helix::cuda::device_tensor<float, helix::shape<1>> label(o.batch, stream);
    helix::cuda::device_tensor<float, helix::shape<2>> enhancer_coords(o.batch, stream), promoter_coords(o.batch, stream);
    label.upload(stream, batch.label.cview());
    enhancer_coords.upload(stream, batch.enhancer_coords.cview());
    promoter_coords.upload(stream, batch.promoter_coords.cview());
    const auto in = helix::view_at<In, const float, helix::cuda_device>(input.data(), o.batch);
    ctx.synchronize();

    helix::cuda::adam<float> optimizer(1e-3f);
    std::vector<float> logits(o.batch), probability(o.batch);
    time_steps(o, [&]() -> float {
        if (o.mode == "train") {
            ctx.training = true;
            const auto out = net.forward(ctx, in);
            // EPIANN's loss, 10 x BCE + MSE + MSE, as helix_bench::epiann_loss on the host.
            const float loss =
                helix::cuda::bce_with_logits(ctx, out.first, label.cview(), out.gradient.first, 10.0f) +
                helix::cuda::mse(ctx, out.second.first, enhancer_coords.cview(), out.gradient.second.first) +
                helix::cuda::mse(ctx, out.second.second, promoter_coords.cview(), out.gradient.second.second);
            net.zero_grad(ctx);
            net.backward(ctx, in);
            optimizer.step(ctx, net);
            ctx.synchronize();
            return loss;
        }
        ctx.training = false;
        const auto out = net.forward(ctx, in);
        helix::cuda::copy_to_host(stream, out.first.data(), logits.data(), o.batch);  // synchronises
        for (std::size_t i = 0; i < o.batch; ++i) probability[i] = helix::kernels::sigmoid_op::forward(logits[i]);
        return 0.0f;
    });
}

// epiann::cuda_network: the host network's interface; what the epiann application runs (its trainer calls
// adam_step when the mirror keeps the optimiser state on the device).
template <std::size_t LE, std::size_t LP, class Model>
void run_mirror(const options& o, const Model& spec) {
    using Net = helix::network<epiann::epiann_input<LE, LP>, Model, float>;
    Net host(spec);
    host.init(1, helix::init::truncated_normal{0.1, 0.1});
    epiann::cuda_network<Net> net(host);
    helix::cpu_context ctx(o.threads, 7);
    helix::adam<float> optimizer(1e-3f);
    const helix_bench::epiann_batch<LE, LP> batch(o.batch, 3);
    std::vector<float> probability(o.batch);
    time_steps(o, [&]() -> float {
        if (o.mode == "train") {
            ctx.training = true;
            const auto out = net.forward(ctx, batch.input());
            const float loss = helix_bench::epiann_loss(out, batch);
            net.zero_grad();
            net.backward(ctx, batch.input());
            if constexpr (requires { net.adam_step(optimizer); }) net.adam_step(optimizer);
            else optimizer.step(net, ctx);
            return loss;
        }
        helix_bench::infer(net, ctx, batch, probability.data());
        return 0.0f;
    });
}

template <std::size_t LE, std::size_t LP, class Model>
void run(const options& o, const Model& spec) {
    if (o.path == "device") run_device<LE, LP>(o, spec);
    else run_mirror<LE, LP>(o, spec);
}

}  // namespace

int main(int argc, char** argv) {
    const auto parsed = helix_bench::parse_throughput_options(argc, argv, "epiann_gpu_throughput", true);
    if (!parsed) return 2;
    const options& o = *parsed;
    if (helix::cuda::device_count() == 0) {
        std::printf("epiann_gpu_throughput: no CUDA device (%s)\n", helix::cuda::device_problem().c_str());
        return 77;
    }
    try {
        // Sizes spelled as plain template arguments (nvcc cannot write model_sizes{} into its host code).
        if (o.size == "paper") run<3000, 2000>(o, epiann::epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>());
        else run<1000, 800>(o, epiann::epiann_spec_sized<1000, 800, 64, 15, 30, 32, 32, 32, 128, 64>());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "epiann_gpu_throughput: %s\n", e.what());
        return 1;
    }
    return 0;
}
