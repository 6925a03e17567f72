// run_cuda<In, Model, T>(kind, mode): a case of cases.hpp / layer_cases.hpp on the CUDA backend: one cuda::network,
// forward and backward at each batch size of `batches`, results copied to the host (the counterpart of run_cpu).
#pragma once

#include <helix/backend/cuda/backend.cuh>

#include "case_runner.hpp"

namespace helix_cuda_test {

template <class In, class Model, class T>
case_results run_cuda(input_kind kind, mode m) {
    const case_data<T> d = make_case_data<In, Model, T>(kind);
    cuda::context ctx(/*seed=*/21);
    set_mode(ctx, m);
    cuda::network<In, Model, T> net(ctx);
    net.upload_parameters(ctx, d.params);
    cuda::device_buffer<T> input(d.input.size(), ctx.stream()), din(d.input.size(), ctx.stream());
    cuda::copy_to_device(ctx.stream(), d.input.data(), input.data(), d.input.size());
    case_results results;
    for (const std::size_t batch : batches) {  // one network: the second, smaller batch reuses its workspace
        const auto in = view_at<In, const T, cuda_device>(input.data(), batch);
        const auto out = net.forward(ctx, in);
        const std::size_t outputs = batch * io_size<typename cuda::network<In, Model, T>::output>;
        std::vector<T> host(outputs);
        cuda::copy_to_host(ctx.stream(), static_cast<const T*>(first_data(out)), host.data(), outputs);
        case_result r;
        r.output = as_float(host.data(), outputs);
        if (m == mode::inference) {  // auxiliary<> heads refuse a backward pass in inference: forward only
            results.batches.push_back(std::move(r));
            continue;
        }
        cuda::copy_to_device(ctx.stream(), d.output_gradient.data(), first_data(out.gradient), outputs);
        net.zero_grad(ctx);
        net.backward(ctx, in, view_at<In, T, cuda_device>(din.data(), batch));
        host.resize(batch * io_size<In>);
        cuda::copy_to_host(ctx.stream(), static_cast<const T*>(din.data()), host.data(), host.size());
        r.input_gradient = as_float(host.data(), host.size());
        std::vector<T> grads(d.params.size());
        net.download_gradients(ctx, grads);
        r.parameter_gradient = as_float(grads.data(), grads.size());
        net.download_parameters(ctx, grads);  // after a training forward, batch_norm's running statistics moved
        r.parameters = as_float(grads.data(), grads.size());
        results.batches.push_back(std::move(r));
    }
    ctx.synchronize();
    return results;
}

}  // namespace helix_cuda_test
