// The CUDA side of cuda_network (cuda_network.hpp), the only CUDA source of epiann, instantiated for the model
// variants (train/model_variants.hpp checks that these are its types). Types are spelled through epiann_spec_sized:
// nvcc 13 cannot write model_sizes template arguments into its generated host code.
#include <helix/backend/cuda/backend.cuh>

#include <cmath>

#include "device/cuda_network.hpp"
#include "models/epiann.hpp"

namespace epiann {

std::string cuda_device_problem() { return helix::cuda::device_problem(); }

namespace {
// Page-locked host memory for the input batch: copies from it run at the bus's speed and asynchronously.
struct pinned_buffer {
    float* data = nullptr;
    std::size_t size = 0;
    pinned_buffer() = default;
    pinned_buffer(const pinned_buffer&) = delete;
    pinned_buffer& operator=(const pinned_buffer&) = delete;
    ~pinned_buffer() {
        if (data) cudaFreeHost(data);
    }
    void reserve(std::size_t n) {
        if (n <= size) return;
        if (data) HELIX_CUDA_CHECK(cudaFreeHost(data));
        data = nullptr;
        size = 0;
        HELIX_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&data), n * sizeof(float)));
        size = n;
    }
};
}  // namespace

template <class Net>
struct cuda_network<Net>::impl {
    using in_type = typename Net::input;
    using out_type = typename Net::output;
    helix::cuda::context ctx;
    helix::cuda::network<in_type, typename Net::model_type, float> device;
    helix::cuda::device_buffer<float> input, next_input;  // next_input: filled by prefetch() on copy_stream
    pinned_buffer staging, next_staging;
    cudaStream_t copy_stream = nullptr;
    cudaEvent_t next_copied = nullptr;
    const float* prefetched_for = nullptr;  // the host data next_input holds, and its batch
    std::size_t prefetched_batch = 0;
    std::vector<float> output;  // output, then its gradient (what the host network's workspace starts with)
    mutable std::vector<float> cache;
    mutable bool cache_current = false;
    // Which copy of each arena is current; at least one always is.
    bool device_parameters_current = false;
    mutable bool host_parameters_current = true;
    bool device_gradients_current = false;
    mutable bool host_gradients_current = true;
    // Adam on the device, and two status words: the first non-finite gradient and weight (no_index: none).
    helix::cuda::adam<float> adam;
    bool adam_on_device = false;
    helix::cuda::device_buffer<std::int32_t> status;

    explicit impl(const Net& host) : ctx(0), device(ctx, host.model()), status(2, ctx.stream()) {
        HELIX_CUDA_CHECK(cudaStreamCreateWithFlags(&copy_stream, cudaStreamNonBlocking));
        const cudaError_t made = cudaEventCreateWithFlags(&next_copied, cudaEventDisableTiming);
        if (made != cudaSuccess) cudaStreamDestroy(copy_stream);
        HELIX_CUDA_CHECK(made);
    }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl() {
        if (next_copied) cudaEventDestroy(next_copied);
        if (copy_stream) cudaStreamDestroy(copy_stream);
    }
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
float* stage_halves(const V& v, float* to) {
    if constexpr (requires { v.first; }) return stage_halves(v.second, stage_halves(v.first, to));
    else {
        std::copy_n(v.data(), v.size(), to);
        return to + v.size();
    }
}
}  // namespace

template <class Net>
std::span<const float> cuda_network<Net>::parameters() const {
    impl& d = *impl_;
    if (!d.host_parameters_current) {
        d.device.download_parameters(d.ctx, host_.parameters());
        d.host_parameters_current = true;
    }
    return std::span<const float>(host_.parameters());
}

template <class Net>
std::span<float> cuda_network<Net>::parameters() {
    std::as_const(*this).parameters();
    impl_->device_parameters_current = false;  // the caller may write
    return host_.parameters();
}

template <class Net>
std::span<const float> cuda_network<Net>::gradients() const {
    impl& d = *impl_;
    if (!d.host_gradients_current) {
        d.device.download_gradients(d.ctx, host_.gradients());
        d.host_gradients_current = true;
    }
    return std::span<const float>(host_.gradients());
}

template <class Net>
std::span<float> cuda_network<Net>::gradients() {
    std::as_const(*this).gradients();
    impl_->device_gradients_current = false;
    return host_.gradients();
}

namespace {
template <class Impl, class Host>
void make_device_current(Impl& d, Host& host) {
    if (!d.device_parameters_current) {
        d.device.upload_parameters(d.ctx, std::span<const float>(host.parameters()));
        d.device_parameters_current = true;
    }
    if (!d.device_gradients_current) {
        helix::cuda::copy_to_device(d.ctx.stream(), host.gradients().data(), d.device.gradients_device(), host.gradients().size());
        d.device_gradients_current = true;
    }
}
}  // namespace

template <class Net>
auto cuda_network<Net>::forward(helix::cpu_context& ctx, helix::view_t<const float, input> in) -> result {
    impl& d = *impl_;
    batch_ = in.batch();
    make_device_current(d, host_);
    const std::size_t values = batch_ * helix::io_size<input>;
    if (d.prefetched_for == first_data(in) && d.prefetched_batch == batch_) {
        // Sent ahead during the last step: the compute stream waits for that copy, nothing more moves.
        HELIX_CUDA_CHECK(cudaStreamWaitEvent(d.ctx.stream(), d.next_copied, 0));
        std::swap(d.input, d.next_input);
    } else {
        d.input.resize(values, d.ctx.stream());
        d.staging.reserve(values);
        stage_halves(in, d.staging.data);
        helix::cuda::copy_to_device(d.ctx.stream(), static_cast<const float*>(d.staging.data), d.input.data(), values);
    }
    d.prefetched_for = nullptr;
    d.ctx.training = ctx.training;
    d.ctx.auxiliary_outputs = ctx.auxiliary_outputs;
    d.ctx.rng = ctx.rng;
    d.ctx.share = ctx.share;  // dropout draws by position in the global batch, as on the CPU
    const auto out = d.device.forward(d.ctx, helix::view_at<input, const float, helix::cuda_device>(d.input.data(), batch_));
    ctx.rng = d.ctx.rng;  // the draws dropout reserved
    const std::size_t n = batch_ * helix::io_size<output>;
    d.output.assign(2 * n, 0.0f);
    helix::cuda::copy_to_host(d.ctx.stream(), first_data(out), d.output.data(), n);  // waits: the staging area is free again
    d.cache_current = false;
    input_ = in;
    output_ = helix::view_at<output, const float>(static_cast<const float*>(d.output.data()), batch_);
    return {output_, helix::view_at<output, float>(d.output.data() + n, batch_)};
}

template <class Net>
void cuda_network<Net>::prefetch(helix::view_t<const float, input> next) {
    impl& d = *impl_;
    // next_input and next_staging were last used by the step before the current one, which has finished (its status
    // read waited for the compute stream, which had waited for their copy).
    const std::size_t values = next.batch() * helix::io_size<input>;
    d.next_input.resize(values, d.copy_stream);
    d.next_staging.reserve(values);
    stage_halves(next, d.next_staging.data);
    helix::cuda::copy_to_device(d.copy_stream, static_cast<const float*>(d.next_staging.data), d.next_input.data(), values);
    HELIX_CUDA_CHECK(cudaEventRecord(d.next_copied, d.copy_stream));
    d.prefetched_for = first_data(next);
    d.prefetched_batch = next.batch();
}

template <class Net>
void cuda_network<Net>::backward(helix::cpu_context&, helix::view_t<const float, input> in) {
    impl& d = *impl_;
    helix::check_batch(batch_, in.batch(), "cuda_network::backward (input of the latest forward)");
    make_device_current(d, host_);
    const std::size_t n = batch_ * helix::io_size<output>;
    helix::cuda::copy_to_device(d.ctx.stream(), static_cast<const float*>(d.output.data() + n),
                                const_cast<float*>(first_data(d.device.output_gradient())), n);
    d.device.backward(d.ctx, helix::view_at<input, const float, helix::cuda_device>(d.input.data(), batch_));
    d.host_gradients_current = false;  // the gradients stay on the device until someone reads them
}

template <class Net>
void cuda_network<Net>::zero_grad() {
    impl& d = *impl_;
    d.device.zero_grad(d.ctx);
    d.device_gradients_current = true;
    d.host_gradients_current = false;
}

namespace {
// "NAME[i] = nan" for arena index i, as the host trainer's first_non_finite writes it.
std::string describe_value(const std::vector<helix::param_info>& info, std::size_t i, float value) {
    const char* what = std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
    for (const auto& p : info)
        if (i >= p.offset && i < p.offset + p.size) return p.name + "[" + std::to_string(i - p.offset) + "] = " + what;
    return "element " + std::to_string(i) + " = " + what;
}
}  // namespace

template <class Net>
auto cuda_network<Net>::adam_step(helix::adam<float>& optimizer) -> step_check {
    impl& d = *impl_;
    make_device_current(d, host_);
    constexpr std::size_t n = Net::bound_type::param_size;
    d.adam.lr = optimizer.lr;
    d.adam.beta1 = optimizer.beta1;
    d.adam.beta2 = optimizer.beta2;
    d.adam.eps = optimizer.eps;
    d.adam.weight_decay = optimizer.weight_decay;
    if (!d.adam_on_device) {
        if (optimizer.steps() > 0)  // a resumed run: its moments move to the device once
            d.adam.restore(d.ctx, std::span<const float>(optimizer.first_moment()), std::span<const float>(optimizer.second_moment()),
                           optimizer.steps());
        d.adam_on_device = true;
    }
    std::int32_t* status = d.status.data();
    helix::cuda::set_indices(d.ctx, status, 2, helix::cuda::no_index);
    helix::cuda::find_first_non_finite(d.ctx, static_cast<const float*>(d.device.gradients_device()), n, status, "gradient check");
    d.adam.step(d.ctx, d.device.parameters_device(), d.device.gradients_device(), n, status);
    helix::cuda::find_first_non_finite(d.ctx, static_cast<const float*>(d.device.parameters_device()), n, status + 1,
                                       "weight check");
    std::int32_t found[2];
    helix::cuda::copy_to_host(d.ctx.stream(), static_cast<const std::int32_t*>(status), found, 2);
    d.host_parameters_current = false;
    step_check check;
    for (int k = 0; k < 2; ++k) {
        if (found[k] == helix::cuda::no_index) continue;
        float value = 0;
        const float* arena = k == 0 ? d.device.gradients_device() : d.device.parameters_device();
        helix::cuda::copy_to_host(d.ctx.stream(), arena + found[k], &value, 1);
        (k == 0 ? check.gradient : check.weight) = describe_value(host_.parameter_info(), std::size_t(found[k]), value);
        if (k == 0) break;  // the step was skipped: the weights are as they were
    }
    return check;
}

template <class Net>
void cuda_network<Net>::sync_optimizer(helix::adam<float>& optimizer) const {
    impl& d = *impl_;
    if (!d.adam_on_device || d.adam.steps() == 0) return;
    constexpr std::size_t n = Net::bound_type::param_size;
    std::vector<float> m(n), v(n);
    d.adam.download_state(d.ctx, m, v);
    optimizer.restore(m, v, d.adam.steps());
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
