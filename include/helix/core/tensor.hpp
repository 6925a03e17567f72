// tensor<T, Shape, Device> and tensor_view<T, Shape, Device>.
//
// Represents: batch x Shape values, row-major, channel-last; the batch is a run-time value, the per-sample
// shape a compile-time one. tensor owns 64-byte aligned storage; tensor_view borrows (T may be const).
// pair_view holds the two halves of a pair_of<A, B>. view_t<T, IO> names the view type of an io_type.
// Guarantees: shape and device mismatches are type errors; a batch mismatch throws helix::shape_error.
#pragma once

#include <cassert>
#include <cstddef>
#include <type_traits>

#include "helix/core/aligned_buffer.hpp"
#include "helix/core/device.hpp"
#include "helix/core/error.hpp"
#include "helix/core/shape.hpp"

namespace helix {

template <class T, class Shape, class Device = cpu>
class tensor_view {
    static_assert(is_shape_v<Shape>, "tensor_view: Shape must be a helix::shape<...>");

public:
    using value_type = std::remove_const_t<T>;
    using shape_type = Shape;
    using device_type = Device;
    static constexpr std::size_t sample_size = Shape::size;

    tensor_view() = default;
    tensor_view(T* data, std::size_t batch) : data_(data), batch_(batch) {}
    // A view of mutable values converts to a view of const values, never the reverse.
    template <class U>
        requires(std::is_const_v<T> && std::is_same_v<const U, T>)
    tensor_view(tensor_view<U, Shape, Device> v) : data_(v.data()), batch_(v.batch()) {}

    T* data() const noexcept { return data_; }
    std::size_t batch() const noexcept { return batch_; }
    std::size_t size() const noexcept { return batch_ * Shape::size; }
    bool empty() const noexcept { return data_ == nullptr; }
    T* sample(std::size_t b) const noexcept { return data_ + b * Shape::size; }
    T& operator[](std::size_t i) const noexcept { return data_[i]; }

    // Element (b, i0, i1, ...): the batch index first, then one index per extent.
    template <class... I>
    T& operator()(std::size_t b, I... idx) const noexcept {
        static_assert(sizeof...(I) == Shape::rank, "tensor_view: give one index per extent after the batch index");
        std::size_t off = 0, k = 0;
        ((off = off * Shape::dims[k++] + static_cast<std::size_t>(idx)), ...);
        assert(b < batch_);
        return data_[b * Shape::size + off];
    }

private:
    T* data_ = nullptr;
    std::size_t batch_ = 0;
};

template <class T, class Shape, class Device = cpu>
class tensor {
    static_assert(is_shape_v<Shape>, "tensor: Shape must be a helix::shape<...>");
    static_assert(std::is_same_v<Device, cpu>,
                  "tensor: this owning tensor holds host memory; use helix::cuda::device_tensor (backend/cuda/buffer.cuh) for GPU memory");

public:
    using value_type = T;
    using shape_type = Shape;
    using device_type = Device;
    static constexpr std::size_t sample_size = Shape::size;

    tensor() = default;
    explicit tensor(std::size_t batch) : buffer_(batch * Shape::size), batch_(batch) {}

    // Resizes to `batch` samples; every value becomes zero.
    void resize(std::size_t batch) {
        buffer_.resize(batch * Shape::size);
        batch_ = batch;
    }
    void fill(T v) {
        for (auto& x : buffer_) x = v;
    }

    T* data() noexcept { return buffer_.data(); }
    const T* data() const noexcept { return buffer_.data(); }
    std::size_t batch() const noexcept { return batch_; }
    std::size_t size() const noexcept { return buffer_.size(); }
    T& operator[](std::size_t i) noexcept { return buffer_[i]; }
    const T& operator[](std::size_t i) const noexcept { return buffer_[i]; }
    template <class... I>
    T& operator()(std::size_t b, I... idx) noexcept {
        return view()(b, idx...);
    }
    template <class... I>
    const T& operator()(std::size_t b, I... idx) const noexcept {
        return view()(b, idx...);
    }

    tensor_view<T, Shape, Device> view() noexcept { return {buffer_.data(), batch_}; }
    tensor_view<const T, Shape, Device> view() const noexcept { return {buffer_.data(), batch_}; }
    tensor_view<const T, Shape, Device> cview() const noexcept { return {buffer_.data(), batch_}; }
    operator tensor_view<T, Shape, Device>() noexcept { return view(); }
    operator tensor_view<const T, Shape, Device>() const noexcept { return view(); }

private:
    aligned_buffer<T> buffer_;
    std::size_t batch_ = 0;
};

// The two halves of a pair_of<A, B>, each with the same batch.
template <class First, class Second>
struct pair_view {
    First first;
    Second second;
    std::size_t batch() const noexcept { return first.batch(); }
    bool empty() const noexcept { return first.empty(); }
    // A pair of mutable views converts to a pair of const views.
    template <class F2, class S2>
        requires(std::is_convertible_v<First, F2> && std::is_convertible_v<Second, S2>)
    operator pair_view<F2, S2>() const {
        return {first, second};
    }
};

namespace detail {
template <class T, class IO, class Device>
struct view_of;
template <class T, std::size_t... Ds, class Device>
struct view_of<T, shape<Ds...>, Device> {
    using type = tensor_view<T, shape<Ds...>, Device>;
    static type at(T* p, std::size_t batch) { return {p, batch}; }
};
template <class T, class A, class B, class Device>
struct view_of<T, pair_of<A, B>, Device> {
    using type = pair_view<typename view_of<T, A, Device>::type, typename view_of<T, B, Device>::type>;
    // The first half occupies batch * A::size values, the second follows it.
    static type at(T* p, std::size_t batch) {
        return {view_of<T, A, Device>::at(p, batch), view_of<T, B, Device>::at(p ? p + batch * A::size : nullptr, batch)};
    }
};
}  // namespace detail

// The view type of an io_type: tensor_view for a shape, pair_view for a pair_of.
template <class T, class IO, class Device = cpu>
using view_t = typename detail::view_of<T, IO, Device>::type;

// A view of the io_type IO laid out at p (batch-major; a pair's halves one after the other).
// A null p gives an empty view, which layers read as "not wanted" (e.g. no input gradient).
template <class IO, class T, class Device = cpu>
view_t<T, IO, Device> view_at(T* p, std::size_t batch) {
    return detail::view_of<T, IO, Device>::at(p, batch);
}

template <class T, class A, class B, class D>
auto make_pair_view(tensor_view<T, A, D> a, tensor_view<T, B, D> b) {
    check_batch(a.batch(), b.batch(), "make_pair_view");
    return pair_view<tensor_view<T, A, D>, tensor_view<T, B, D>>{a, b};
}

}  // namespace helix
