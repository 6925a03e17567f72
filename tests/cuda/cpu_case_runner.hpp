// run_cpu<In, Model, T>(kind, mode): a case of cases.hpp / layer_cases.hpp through helix::network on the CPU backend
// (compiled by the C++ compiler with the project's flags, so this is the CPU code users run, SIMD paths included).
#pragma once

#include "case_runner.hpp"

namespace helix_cuda_test {

template <class In, class Model, class T>
case_results run_cpu(input_kind kind, mode m) {
    const case_data<T> d = make_case_data<In, Model, T>(kind);
    network<In, Model, T> net;
    std::copy(d.params.begin(), d.params.end(), net.parameters().begin());
    cpu_context ctx(2, /*seed=*/21);
    set_mode(ctx, m);
    case_results results;
    results.tensors = net.parameter_info();
    for (const std::size_t batch : batches) {
        const auto in = view_at<In, const T>(d.input.data(), batch);
        const auto out = net.forward(ctx, in);
        case_result r;
        const std::size_t outputs = batch * io_size<typename network<In, Model, T>::output>;
        r.output = as_float(first_data(out), outputs);
        if (m == mode::inference) {  // auxiliary<> heads refuse a backward pass in inference: forward only
            results.batches.push_back(std::move(r));
            continue;
        }
        std::copy_n(d.output_gradient.begin(), outputs, first_data(out.gradient));
        std::vector<T> din(batch * io_size<In>);
        net.zero_grad();
        net.backward(ctx, in, view_at<In, T>(din.data(), batch));
        r.input_gradient = as_float(din.data(), din.size());
        r.parameter_gradient = as_float(net.gradients().data(), net.gradients().size());
        r.parameters = as_float(net.parameters().data(), net.parameters().size());
        results.batches.push_back(std::move(r));
    }
    return results;
}

}  // namespace helix_cuda_test
