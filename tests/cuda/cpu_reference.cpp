// The CPU side of the CUDA backend test: each case through helix::network on the CPU backend, compiled by the C++
// compiler with the project's flags (so this is the CPU code users run, SIMD paths included).
#include "case_runner.hpp"

namespace helix_cuda_test {

template <class In, class Model>
case_result run_cpu(input_kind kind, bool training) {
    const case_data d = make_case_data<In, Model>(kind);
    network<In, Model, float> net;
    std::copy(d.params.begin(), d.params.end(), net.parameters().begin());
    cpu_context ctx(2, /*seed=*/21);
    ctx.training = training;
    ctx.auxiliary_outputs = true;  // every output is compared
    const auto in = view_at<In, const float>(d.input.data(), batch);
    const auto out = net.forward(ctx, in);
    case_result r;
    r.output.resize(batch * io_size<typename network<In, Model, float>::output>);
    const float* y = first_data(out);
    std::copy(y, y + r.output.size(), r.output.begin());
    std::copy(d.output_gradient.begin(), d.output_gradient.end(), first_data(out.gradient));
    std::vector<float> din(d.input.size());
    net.zero_grad();
    net.backward(ctx, in, view_at<In, float>(din.data(), batch));
    r.input_gradient = din;
    r.parameter_gradient.assign(net.gradients().begin(), net.gradients().end());
    return r;
}

#define HELIX_DEFINE_CPU_CASE(name, In, Model, kind, training) \
    case_result cpu_##name() { return run_cpu<In, Model>(kind, training); }
HELIX_CUDA_CASES(HELIX_DEFINE_CPU_CASE)

}  // namespace helix_cuda_test
