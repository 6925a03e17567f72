// xtensor interop (opt-in: link helix::xtensor, which needs xtensor 0.24 and xtl).
//
// Represents: as_xtensor(view or tensor), an xt::adapt view of shape {batch, Ds...} over helix memory, so
// xtensor expressions (xt::sum, broadcasting, slicing) read and write helix tensors in place; and .npy
// files as xt::xarray (load_npy_xarray<T>, save_npy of any xtensor expression), built on helix/io/npy.hpp.
// Requires: the helix tensor outlives the adaptor and is not resized while it is in use.
// Guarantees: as_xtensor never copies; a view of const values gives a read-only adaptor.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xexpression.hpp>

#include "helix/core/tensor.hpp"
#include "helix/io/npy.hpp"

namespace helix {

// A row-major xtensor adaptor of shape {batch, Ds...} over the view's memory (T may be const).
template <class T, std::size_t... Ds>
auto as_xtensor(tensor_view<T, shape<Ds...>, cpu> v) {
    const std::array<std::size_t, sizeof...(Ds) + 1> dims{v.batch(), Ds...};
    return xt::adapt(v.data(), v.size(), xt::no_ownership(), dims);
}

template <class T, class Shape>
auto as_xtensor(tensor<T, Shape>& t) {
    return as_xtensor(t.view());
}

template <class T, class Shape>
auto as_xtensor(const tensor<T, Shape>& t) {
    return as_xtensor(t.cview());
}

// A .npy file as an xt::xarray<T>; throws io_error unless the file's dtype is exactly T's.
template <class T>
xt::xarray<T> load_npy_xarray(const std::filesystem::path& path) {
    const npy_array a = load_npy(path);
    xt::xarray<T> x = xt::xarray<T>::from_shape(a.dims);
    a.copy_to(std::span<T>(x.data(), x.size()));
    return x;
}

// Writes any xtensor expression (an xarray, an adaptor from as_xtensor, xt::sum(...)) as a C-order .npy file.
template <class E>
void save_npy(const std::filesystem::path& path, const xt::xexpression<E>& expr) {
    using T = typename E::value_type;
    const xt::xarray<T, xt::layout_type::row_major> x = expr.derived_cast();  // evaluates it in C order
    std::vector<std::size_t> dims(x.shape().begin(), x.shape().end());
    save_npy(path, std::span<const T>(x.data(), x.size()), std::move(dims));
}

}  // namespace helix
