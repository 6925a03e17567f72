// aligned_buffer<T>: owning, 64-byte aligned, zero-initialised host storage of trivially copyable values.
// Represents: the memory behind tensors and the network's arenas. Eigen and xtensor only ever see views of it.
// Guarantees: data() is 64-byte aligned (one cache line, one AVX-512 register); moving never copies.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace helix {

inline constexpr std::size_t buffer_alignment = 64;

template <class T>
class aligned_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "aligned_buffer: element type must be trivially copyable");

public:
    aligned_buffer() = default;
    explicit aligned_buffer(std::size_t n) { resize(n); }
    aligned_buffer(const aligned_buffer& o) : aligned_buffer(o.size_) {
        if (size_) std::memcpy(data_, o.data_, size_ * sizeof(T));
    }
    aligned_buffer(aligned_buffer&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), capacity_(std::exchange(o.capacity_, 0)) {}
    aligned_buffer& operator=(aligned_buffer o) noexcept {
        swap(o);
        return *this;
    }
    ~aligned_buffer() { release(); }

    void swap(aligned_buffer& o) noexcept {
        std::swap(data_, o.data_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
    }

    // Resizes to n elements, all zero. Keeps the allocation when n does not grow it.
    void resize(std::size_t n) {
        if (n > capacity_) {
            release();
            data_ = static_cast<T*>(::operator new[](n * sizeof(T), std::align_val_t{buffer_alignment}));
            capacity_ = n;
        }
        size_ = n;
        if (n) std::memset(static_cast<void*>(data_), 0, n * sizeof(T));
    }

    void fill_zero() {
        if (size_) std::memset(static_cast<void*>(data_), 0, size_ * sizeof(T));
    }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }

private:
    void release() noexcept {
        if (data_) ::operator delete[](data_, std::align_val_t{buffer_alignment});
        data_ = nullptr;
        size_ = capacity_ = 0;
    }
    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace helix
