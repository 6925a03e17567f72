// ops<Device>: the few operations device-generic layers are written on, so that one forward and backward serves
// every backend: products (gemm, gemm_batched), a loop of HELIX_HD functors (for_each), fill, copy and add.
// ops<cpu> is backend/cpu/ops.hpp (Eigen or OpenBLAS, OpenMP); ops<cuda_device> is backend/cuda/ops.cuh (cuBLAS,
// grid-stride kernels), which CPU builds never see. A layer written on ops_of<Ctx> takes any context:
//   template <class T, class Ctx> void forward(Ctx& ctx, const T* params, view_t<const T, input, device_of<Ctx>> in, ...)
// and the composites call it on every device (layers/layer.hpp). Functors given to for_each capture by value
// (pointers and sizes) and have a HELIX_HD call operator: on CUDA they are copied to the device.
// Layers with a hand-tuned kernel per backend (conv1d_relu_max_pool1d, additive_cross_attention) use device_layer.
#pragma once

#include "helix/core/device.hpp"

namespace helix {

// Whether a gemm operand is used as stored or transposed (row-major storage on every backend).
enum class trans : bool { no = false, yes = true };

template <class Device>
struct ops;

template <class Ctx>
using ops_of = ops<device_of<Ctx>>;

}  // namespace helix
