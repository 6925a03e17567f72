// The CUDA backend against the CPU backend: every case of cases.hpp (each layer at EPIANN's sizes, composites, the
// whole paper model in training mode) forward and backward on both, outputs, input gradients and parameter
// gradients compared; then losses and optimisers. Exits 77 (CTest: skipped) when no CUDA device answers; any error of
// the device query counts as no device. Float results agree within rounding: tolerances are relative to the largest
// reference value of each array.
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include <helix/backend/cuda/backend.cuh>

#include "case_runner.hpp"

namespace helix_cuda_test {

template <class In, class Model>
case_result run_cuda(input_kind kind, bool training) {
    const case_data d = make_case_data<In, Model>(kind);
    cuda::context ctx(/*seed=*/21);
    ctx.training = training;
    ctx.auxiliary_outputs = true;  // every output is compared
    cuda::network<In, Model, float> net(ctx);
    net.upload_parameters(ctx, d.params);
    cuda::device_buffer<float> input(d.input.size(), ctx.stream()), din(d.input.size(), ctx.stream());
    cuda::copy_to_device(ctx.stream(), d.input.data(), input.data(), d.input.size());
    const auto in = view_at<In, const float, cuda_device>(input.data(), batch);
    const auto out = net.forward(ctx, in);
    case_result r;
    r.output.resize(d.output_gradient.size());
    cuda::copy_to_host(ctx.stream(), static_cast<const float*>(first_data(out)), r.output.data(), r.output.size());
    cuda::copy_to_device(ctx.stream(), d.output_gradient.data(), first_data(out.gradient), d.output_gradient.size());
    net.zero_grad(ctx);
    net.backward(ctx, in, view_at<In, float, cuda_device>(din.data(), batch));
    r.input_gradient.resize(d.input.size());
    cuda::copy_to_host(ctx.stream(), static_cast<const float*>(din.data()), r.input_gradient.data(), d.input.size());
    r.parameter_gradient.resize(d.params.size());
    net.download_gradients(ctx, r.parameter_gradient);
    ctx.synchronize();
    return r;
}

#define HELIX_DEFINE_CUDA_CASE(name, In, Model, kind, training) \
    case_result cuda_##name() { return run_cuda<In, Model>(kind, training); }
HELIX_CUDA_CASES(HELIX_DEFINE_CUDA_CASE)

int failures = 0;

void compare(const std::string& what, const std::vector<float>& got, const std::vector<float>& want, double tolerance) {
    if (got.size() != want.size()) {
        std::printf("FAIL %s: %zu values, expected %zu\n", what.c_str(), got.size(), want.size());
        ++failures;
        return;
    }
    double scale = 0, worst = 0;
    std::size_t at = 0;
    for (const float w : want) scale = std::fmax(scale, std::fabs(double(w)));
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double e = std::fabs(double(got[i]) - double(want[i]));
        if (!(e <= worst)) {  // also catches NaN
            worst = e;
            at = i;
        }
    }
    const double relative = scale > 0 ? worst / scale : worst;
    const bool ok = relative <= tolerance;
    std::printf("%s %s: %zu values, worst |cuda - cpu| %.3g at %zu (%.3g of the largest |cpu| %.3g)\n", ok ? "ok  " : "FAIL",
                what.c_str(), got.size(), worst, at, relative, scale);
    if (!ok) ++failures;
}

void check_case(const char* name, case_result cpu, case_result gpu) {
    const double tolerance = 1e-3;
    compare(std::string(name) + " output", gpu.output, cpu.output, tolerance);
    compare(std::string(name) + " input gradient", gpu.input_gradient, cpu.input_gradient, tolerance);
    compare(std::string(name) + " parameter gradient", gpu.parameter_gradient, cpu.parameter_gradient, tolerance);
}

void check_losses_and_optimisers() {
    cuda::context ctx(5);
    const std::size_t n = 64;
    tensor<float, shape<2>> pred(n), target(n), grad_cpu(n);
    counter_rng rng(3);
    for (std::size_t i = 0; i < pred.size(); ++i) {
        pred[i] = float(3 * rng.next_normal());
        target[i] = float(rng.next_uniform() > 0.5);
    }
    cuda::device_tensor<float, shape<2>> dp(n, ctx.stream()), dt(n, ctx.stream()), dg(n, ctx.stream());
    dp.upload(ctx.stream(), pred.cview());
    dt.upload(ctx.stream(), target.cview());
    std::vector<float> g(pred.size()), want(pred.size());
    for (int which = 0; which < 2; ++which) {
        const float weight = which == 0 ? 10.0f : 1.0f;
        const float cpu_loss = which == 0 ? bce_with_logits(pred.cview(), target.cview(), grad_cpu.view(), weight)
                                          : mse(pred.cview(), target.cview(), grad_cpu.view(), weight);
        const float gpu_loss = which == 0 ? cuda::bce_with_logits(ctx, dp.cview(), dt.cview(), dg.view(), weight)
                                          : cuda::mse(ctx, dp.cview(), dt.cview(), dg.view(), weight);
        const char* name = which == 0 ? "bce_with_logits" : "mse";
        compare(std::string(name) + " loss", {gpu_loss}, {cpu_loss}, 1e-5);
        tensor<float, shape<2>> host_g(n);
        dg.download(ctx.stream(), host_g.view());
        compare(std::string(name) + " gradient", std::vector<float>(host_g.data(), host_g.data() + host_g.size()),
                std::vector<float>(grad_cpu.data(), grad_cpu.data() + grad_cpu.size()), 1e-5);
    }
    // Three steps of Adam and of SGD with momentum on the same parameters and gradients.
    const std::size_t p = 1000;
    std::vector<float> params(p), grads(p);
    for (std::size_t i = 0; i < p; ++i) {
        params[i] = float(rng.next_normal());
        grads[i] = float(rng.next_normal());
    }
    cuda::device_buffer<float> dparams(p, ctx.stream()), dgrads(p, ctx.stream());
    for (int which = 0; which < 2; ++which) {
        std::vector<float> host = params;
        cuda::copy_to_device(ctx.stream(), params.data(), dparams.data(), p);
        cuda::copy_to_device(ctx.stream(), grads.data(), dgrads.data(), p);
        adam<float> cpu_adam(1e-2f);
        sgd<float> cpu_sgd(1e-2f, 0.9f, 1e-4f);
        cuda::adam<float> gpu_adam(1e-2f);
        cuda::sgd<float> gpu_sgd(1e-2f, 0.9f, 1e-4f);
        for (int step = 0; step < 3; ++step) {
            if (which == 0) {
                cpu_adam.step(host, grads);
                gpu_adam.step(ctx, dparams.data(), dgrads.data(), p);
            } else {
                cpu_sgd.step(host, grads);
                gpu_sgd.step(ctx, dparams.data(), dgrads.data(), p);
            }
        }
        std::vector<float> got(p);
        cuda::copy_to_host(ctx.stream(), static_cast<const float*>(dparams.data()), got.data(), p);
        compare(which == 0 ? "adam, 3 steps" : "sgd with momentum, 3 steps", got, host, 1e-6);
    }
}

// The first GPU line of `nvidia-smi -L` ("GPU 0: NVIDIA H200 (UUID: ...)"), or "" when there is none or no nvidia-smi.
std::string gpus_nvidia_smi_lists() {
    FILE* p = popen("nvidia-smi -L 2>/dev/null", "r");
    if (p == nullptr) return "";
    char line[512];
    std::string first;
    while (std::fgets(line, sizeof line, p) != nullptr)
        if (first.empty() && std::string(line).rfind("GPU ", 0) == 0) {
            first = line;
            while (!first.empty() && (first.back() == '\n' || first.back() == '\r')) first.pop_back();
        }
    pclose(p);
    return first;
}

}  // namespace helix_cuda_test

int main() {
    using namespace helix_cuda_test;
    if (helix::cuda::device_count() == 0) {
        // A GPU that the driver shows but CUDA cannot use (a driver older than the toolkit needs) is a failure, not
        // a machine without a GPU.
        if (const std::string seen = gpus_nvidia_smi_lists(); !seen.empty()) {
            int driver = 0, runtime = 0;
            cudaDriverGetVersion(&driver);
            cudaRuntimeGetVersion(&runtime);
            std::printf("FAIL: nvidia-smi lists %s but CUDA finds no usable device (%s); the driver supports CUDA %d.%d, "
                        "this build's runtime is %d.%d\n",
                        seen.c_str(), helix::cuda::device_problem().c_str(), driver / 1000, driver % 1000 / 10, runtime / 1000,
                        runtime % 1000 / 10);
            return 1;
        }
        std::printf("skipped: no CUDA device (%s)\n", helix::cuda::device_problem().c_str());
        return 77;
    }
    try {
#define HELIX_RUN_CASE(name, In, Model, kind, training) check_case(#name, cpu_##name(), cuda_##name());
        HELIX_CUDA_CASES(HELIX_RUN_CASE)
        check_losses_and_optimisers();
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
    std::printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
