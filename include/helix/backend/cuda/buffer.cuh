// device_buffer<T>: owning device memory (RAII); device_tensor<T, Shape>: batch x Shape values on the device.
// Copies between host and device are explicit calls (copy_to_device, copy_to_host), never implicit.
// Guarantees: every allocation, free and copy is checked (helix::cuda_error); moving never copies; memory is
// zeroed on resize, like aligned_buffer on the host, in the order of the stream given (cudaMemsetAsync): the zeroing
// happens after the work already queued there and before the work queued after it. (A plain cudaMemset runs on the
// legacy default stream, which a cudaStreamNonBlocking stream does not wait for.)
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "helix/backend/cuda/error.cuh"
#include "helix/core/tensor.hpp"

namespace helix::cuda {

template <class T>
class device_buffer {
public:
    device_buffer() = default;
    device_buffer(std::size_t n, cudaStream_t stream) { resize(n, stream); }
    device_buffer(const device_buffer&) = delete;
    device_buffer& operator=(const device_buffer&) = delete;
    device_buffer(device_buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {}
    device_buffer& operator=(device_buffer&& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
        return *this;
    }
    ~device_buffer() {
        if (data_) cudaFree(data_);  // no throw from a destructor; a failed free leaks at worst
    }

    // Resizes to n zero values, zeroed in `stream`'s order; keeps the allocation when it is large enough.
    // Synchronises the device when it reallocates (cudaFree does), so kernels still reading the old memory finish
    // first.
    void resize(std::size_t n, cudaStream_t stream) {
        if (n > capacity_) {
            if (data_) HELIX_CUDA_CHECK(cudaFree(data_));
            data_ = nullptr;
            capacity_ = 0;
            HELIX_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), n * sizeof(T)));
            capacity_ = n;
        }
        size_ = n;
        if (n) HELIX_CUDA_CHECK(cudaMemsetAsync(data_, 0, n * sizeof(T), stream));
    }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Host -> device and device -> host copies of n values, in stream order; copy_to_host returns when the values
// are on the host.
template <class T>
void copy_to_device(cudaStream_t stream, const T* host, T* device, std::size_t n) {
    if (n) HELIX_CUDA_CHECK(cudaMemcpyAsync(device, host, n * sizeof(T), cudaMemcpyHostToDevice, stream));
}
template <class T>
void copy_to_host(cudaStream_t stream, const T* device, T* host, std::size_t n) {
    if (!n) return;
    HELIX_CUDA_CHECK(cudaMemcpyAsync(host, device, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
    HELIX_CUDA_CHECK(cudaStreamSynchronize(stream));
}
template <class T>
void copy_on_device(cudaStream_t stream, const T* from, T* to, std::size_t n) {
    if (n) HELIX_CUDA_CHECK(cudaMemcpyAsync(to, from, n * sizeof(T), cudaMemcpyDeviceToDevice, stream));
}

template <class T, class Shape>
class device_tensor {
    static_assert(is_shape_v<Shape>, "device_tensor: Shape must be a helix::shape<...>");

public:
    using value_type = T;
    using shape_type = Shape;
    using device_type = cuda_device;

    device_tensor() = default;
    device_tensor(std::size_t batch, cudaStream_t stream) : buffer_(batch * Shape::size, stream), batch_(batch) {}

    void resize(std::size_t batch, cudaStream_t stream) {
        buffer_.resize(batch * Shape::size, stream);
        batch_ = batch;
    }
    T* data() noexcept { return buffer_.data(); }
    const T* data() const noexcept { return buffer_.data(); }
    std::size_t batch() const noexcept { return batch_; }
    std::size_t size() const noexcept { return buffer_.size(); }

    tensor_view<T, Shape, cuda_device> view() noexcept { return {buffer_.data(), batch_}; }
    tensor_view<const T, Shape, cuda_device> view() const noexcept { return {buffer_.data(), batch_}; }
    tensor_view<const T, Shape, cuda_device> cview() const noexcept { return {buffer_.data(), batch_}; }

    // Copies a host tensor of the same shape in (resizing to its batch) or out (the host tensor must match).
    void upload(cudaStream_t stream, tensor_view<const T, Shape> host) {
        if (batch_ != host.batch()) resize(host.batch(), stream);
        copy_to_device(stream, host.data(), data(), host.size());
    }
    void download(cudaStream_t stream, tensor_view<T, Shape> host) const {
        check_batch(batch_, host.batch(), "device_tensor::download");
        copy_to_host(stream, data(), host.data(), size());
    }

private:
    device_buffer<T> buffer_;
    std::size_t batch_ = 0;
};

}  // namespace helix::cuda
