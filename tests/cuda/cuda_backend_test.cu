// The CUDA backend against the CPU backend: every case of cases.hpp (each layer at EPIANN's sizes, composites, the
// whole paper model in training mode) forward and backward on both, outputs, input gradients and parameter
// gradients compared, at two batch sizes through one network; then losses, optimisers and epiann's cuda_network.
// Exits 77 (CTest: skipped) when no CUDA device answers (any error of the device query counts as none), but fails
// when nvidia-smi lists a GPU CUDA cannot use. Float results agree within rounding: tolerances are relative to the
// largest reference value of each array, each parameter tensor on its own.
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include <helix/backend/cuda/backend.cuh>

#include "cuda_case_runner.cuh"
#include "layer_cases.hpp"

namespace helix_cuda_test {

#define HELIX_DEFINE_CUDA_CASE(name, In, Model, T, kind, mode) \
    case_results cuda_##name() { return run_cuda<In, Model, T>(kind, mode); }
HELIX_CUDA_CASES(HELIX_DEFINE_CUDA_CASE)

int failures = 0;

// The worst element of got against want, relative to the largest |want| of the array (one tensor); NaN must meet
// NaN (the auxiliary heads' fill in inference), a NaN on one side only fails.
void compare(const std::string& what, const float* got, const float* want, std::size_t n, double tolerance) {
    double scale = 0, worst = 0;
    std::size_t at = 0, nan_pairs = 0;
    bool nan_mismatch = false;
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(want[i])) scale = std::fmax(scale, std::fabs(double(want[i])));
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(got[i]) || std::isnan(want[i])) {
            if (std::isnan(got[i]) && std::isnan(want[i])) ++nan_pairs;
            else if (!nan_mismatch) {
                nan_mismatch = true;
                at = i;
            }
            continue;
        }
        const double e = std::fabs(double(got[i]) - double(want[i]));
        if (!(e <= worst)) {  // also catches infinities that differ
            worst = e;
            if (!nan_mismatch) at = i;
        }
    }
    const double relative = scale > 0 ? worst / scale : worst;
    const bool ok = !nan_mismatch && relative <= tolerance;
    std::printf("%s %s: %zu values%s, worst |cuda - cpu| %.3g at %zu (%.3g of the largest |cpu| %.3g)%s\n",
                ok ? "ok  " : "FAIL", what.c_str(), n, nan_pairs ? (" (" + std::to_string(nan_pairs) + " NaN on both)").c_str() : "",
                worst, at, relative, scale, nan_mismatch ? "; NaN on one side only" : "");
    if (!ok) ++failures;
}
void compare(const std::string& what, const std::vector<float>& got, const std::vector<float>& want, double tolerance) {
    if (got.size() != want.size()) {
        std::printf("FAIL %s: %zu values, expected %zu\n", what.c_str(), got.size(), want.size());
        ++failures;
        return;
    }
    compare(what, got.data(), want.data(), got.size(), tolerance);
}

// Outputs and input gradients as wholes; parameter gradients tensor by tensor, each against its own largest value,
// so an error in a small tensor cannot hide beside a large one.
void check_case(const char* name, const case_results& cpu, const case_results& gpu) {
    const double tolerance = 1e-3;
    if (cpu.batches.size() != gpu.batches.size()) {
        std::printf("FAIL %s: %zu batches on the GPU, %zu on the CPU\n", name, gpu.batches.size(), cpu.batches.size());
        ++failures;
        return;
    }
    for (std::size_t k = 0; k < cpu.batches.size(); ++k) {
        const std::string at = std::string(name) + " (batch " + std::to_string(batches[k]) + ")";
        const case_result &c = cpu.batches[k], &g = gpu.batches[k];
        compare(at + " output", g.output, c.output, tolerance);
        if (c.parameter_gradient.empty() && g.parameter_gradient.empty()) continue;  // inference: forward only
        compare(at + " input gradient", g.input_gradient, c.input_gradient, tolerance);
        if (g.parameter_gradient.size() != c.parameter_gradient.size()) {
            compare(at + " parameter gradient", g.parameter_gradient, c.parameter_gradient, tolerance);
            continue;
        }
        for (const auto& t : cpu.tensors) {
            if (t.kind == param_kind::buffer) {  // no gradient; compare the state a training forward left instead
                if (g.parameters.size() == c.parameters.size())
                    compare(at + " buffer " + t.name, g.parameters.data() + t.offset, c.parameters.data() + t.offset,
                            t.size, tolerance);
                continue;
            }
            compare(at + " gradient of " + t.name, g.parameter_gradient.data() + t.offset, c.parameter_gradient.data() + t.offset,
                    t.size, tolerance);
        }
    }
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
    // Adam plain and with weight decay; SGD with momentum and weight decay, and plain.
    const char* names[] = {"adam, 3 steps", "adam with weight decay 0.01, 3 steps", "sgd with momentum, 3 steps",
                           "sgd without momentum, 3 steps"};
    for (int which = 0; which < 4; ++which) {
        std::vector<float> host = params;
        cuda::copy_to_device(ctx.stream(), params.data(), dparams.data(), p);
        cuda::copy_to_device(ctx.stream(), grads.data(), dgrads.data(), p);
        const float decay = which == 1 ? 1e-2f : 0.0f;
        adam<float> cpu_adam(1e-2f, 0.9f, 0.999f, 1e-8f, decay);
        cuda::adam<float> gpu_adam(1e-2f, 0.9f, 0.999f, 1e-8f, decay);
        const float momentum = which == 2 ? 0.9f : 0.0f, sgd_decay = which == 2 ? 1e-4f : 0.0f;
        sgd<float> cpu_sgd(1e-2f, momentum, sgd_decay);
        cuda::sgd<float> gpu_sgd(1e-2f, momentum, sgd_decay);
        for (int step = 0; step < 3; ++step) {
            if (which < 2) {
                cpu_adam.step(host, grads);
                gpu_adam.step(ctx, dparams.data(), dgrads.data(), p);
            } else {
                cpu_sgd.step(host, grads);
                gpu_sgd.step(ctx, dparams.data(), dgrads.data(), p);
            }
        }
        std::vector<float> got(p);
        cuda::copy_to_host(ctx.stream(), static_cast<const float*>(dparams.data()), got.data(), p);
        compare(names[which], got, host, 1e-6);
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
#define HELIX_RUN_CASE(name, In, Model, T, kind, mode) check_case(#name, cpu_##name(), cuda_##name());
        HELIX_CUDA_CASES(HELIX_RUN_CASE)
        HELIX_CUDA_LAYER_CASES(HELIX_RUN_CASE)
        check_losses_and_optimisers();
        failures += check_cuda_network();
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        return 1;
    }
    std::printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
