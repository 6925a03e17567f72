// The CUDA side of cuda_network (cuda_network.hpp), the only CUDA source of epiann, instantiated for the model
// variants (train/model_variants.hpp checks that these are its types). Types are spelled through epiann_spec_sized:
// nvcc 13 cannot write model_sizes template arguments into its generated host code.
#include <helix/backend/cuda/backend.cuh>

#include "device/cuda_network.hpp"
#include "model.hpp"

namespace epiann {

std::string cuda_device_problem() { return helix::cuda::device_problem(); }

template <class Net>
struct cuda_network<Net>::impl {
    using in_type = typename Net::input;
    using out_type = typename Net::output;
    helix::cuda::context ctx;
    helix::cuda::network<in_type, typename Net::model_type, float> device;
    helix::cuda::device_buffer<float> input;
    std::vector<float> output;  // output, then its gradient (what the host network's workspace starts with)
    mutable std::vector<float> cache;
    mutable bool cache_current = false;

    explicit impl(const Net& host) : ctx(0), device(ctx, host.model()) {}
};

template <class Net>
cuda_network<Net>::cuda_network(Net& host) : host_(host), impl_(std::make_unique<impl>(host)) {}

template <class Net>
cuda_network<Net>::~cuda_network() = default;

namespace {
template <class V>
const float* first_data(const V& v) {
    if constexpr (requires { v.first; }) return first_data(v.first);
    else return v.data();
}
// Copies a (pair) view's halves one after the other: the layout view_at gives a contiguous buffer.
template <class V>
float* upload_halves(cudaStream_t stream, const V& v, float* to) {
    if constexpr (requires { v.first; }) return upload_halves(stream, v.second, upload_halves(stream, v.first, to));
    else {
        helix::cuda::copy_to_device(stream, v.data(), to, v.size());
        return to + v.size();
    }
}
}  // namespace

template <class Net>
auto cuda_network<Net>::forward(helix::cpu_context& ctx, helix::view_t<const float, input> in) -> result {
    impl& d = *impl_;
    batch_ = in.batch();
    d.device.upload_parameters(d.ctx, host_.parameters());
    d.input.resize(batch_ * helix::io_size<input>, d.ctx.stream());
    upload_halves(d.ctx.stream(), in, d.input.data());
    d.ctx.training = ctx.training;
    d.ctx.auxiliary_outputs = ctx.auxiliary_outputs;
    d.ctx.rng = ctx.rng;
    d.ctx.share = ctx.share;  // dropout draws by position in the global batch, as on the CPU
    const auto out = d.device.forward(d.ctx, helix::view_at<input, const float, helix::cuda_device>(d.input.data(), batch_));
    ctx.rng = d.ctx.rng;  // the draws dropout reserved
    const std::size_t n = batch_ * helix::io_size<output>;
    d.output.assign(2 * n, 0.0f);
    helix::cuda::copy_to_host(d.ctx.stream(), first_data(out), d.output.data(), n);
    d.cache_current = false;
    return {helix::view_at<output, const float>(static_cast<const float*>(d.output.data()), batch_),
            helix::view_at<output, float>(d.output.data() + n, batch_)};
}

template <class Net>
void cuda_network<Net>::backward(helix::cpu_context&, helix::view_t<const float, input> in) {
    impl& d = *impl_;
    helix::check_batch(batch_, in.batch(), "cuda_network::backward (input of the latest forward)");
    const std::size_t n = batch_ * helix::io_size<output>;
    helix::cuda::copy_to_device(d.ctx.stream(), static_cast<const float*>(d.output.data() + n),
                                const_cast<float*>(first_data(d.device.output_gradient())), n);
    d.device.backward(d.ctx, helix::view_at<input, const float, helix::cuda_device>(d.input.data(), batch_));
    // The device's gradients started from zero_grad() as the host's did, so they are the host's sum too.
    d.device.download_gradients(d.ctx, host_.gradients());
}

template <class Net>
void cuda_network<Net>::zero_grad() {
    host_.zero_grad();
    impl_->device.zero_grad(impl_->ctx);
}

template <class Net>
const float* cuda_network<Net>::model_cache() const {
    if (!impl_->cache_current) {
        impl_->device.download_cache(impl_->ctx, impl_->cache);
        impl_->cache_current = true;
    }
    return impl_->cache.data();
}

template class cuda_network<helix::network<epiann_input<3000, 2000>,
                                           decltype(epiann_spec_sized<3000, 2000, 256, 15, 30, 32, 32, 32, 128, 64>()), float>>;
template class cuda_network<helix::network<epiann_input<1000, 800>,
                                           decltype(epiann_spec_sized<1000, 800, 64, 15, 30, 32, 32, 32, 128, 64>()), float>>;

}  // namespace epiann
