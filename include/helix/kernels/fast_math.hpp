// exp and tanh in single precision on 16 lanes at a time, written with GCC/Clang vector extensions (no libm call,
// no branch, no table), for the attention scores, which evaluate tanh Lq x Lk x Dim times per sample. The code
// is plain arithmetic on vector types; the compiler emits AVX-512, AVX2 or SSE instructions for it, whichever
// the calling function is compiled for (backend/cpu/isa.hpp).
//
// Accuracy: fast_exp within 2 ulp of expf on [-87, 88] (arguments outside are clamped); fast_tanh within 2e-7
// absolute of tanhf everywhere (both checked in tests/layers_reference_test.cpp).
// How: exp(y) = 2^n exp(r), n = round(y / ln 2), |r| <= ln 2 / 2, exp(r) by its Taylor series to r^7, 2^n put
// into the exponent bits. tanh(x) = x - x^3/3 + ... (Taylor to x^15) for |x| < 0.5, and
// sign(x) (1 - 2 / (exp(2|x|) + 1)) beyond, where there is no cancellation; |x| is clamped at 9 (tanh = 1 in float).
// Why vector types rather than a scalar function in a vectorised loop: GCC turns the clamps of a scalar version
// into branches and then refuses to vectorise the loop under the default -ftrapping-math.
#pragma once

#include <cstdint>

namespace helix::kernels {

using f32x16 = float __attribute__((vector_size(64)));
using i32x16 = std::int32_t __attribute__((vector_size(64)));

// The functions work in place on references: a 64-byte vector passed or returned by value would have an ABI that
// depends on AVX-512 (GCC warns), and these are inlined into code compiled for different instruction sets.
#define HELIX_F32X16(v) (::helix::kernels::f32x16{} + (v))

// Templates only so that nvcc's front end (cudafe++ 13.0), which crashes folding a constant vector initialiser
// such as `f32x16 p = f32x16{} + 1.0f`, never evaluates them in CUDA sources that include the CPU backend.
template <int = 0>
inline __attribute__((always_inline)) void fast_exp(f32x16& y) {
    y = y < -87.0f ? HELIX_F32X16(-87.0f) : y;
    y = y > 88.0f ? HELIX_F32X16(88.0f) : y;
    const f32x16 t = y * 1.44269504088896341f;
    const i32x16 n = __builtin_convertvector(t + (t < 0.0f ? HELIX_F32X16(-0.5f) : HELIX_F32X16(0.5f)), i32x16);
    const f32x16 nf = __builtin_convertvector(n, f32x16);
    const f32x16 r = (y - nf * 0.693145751953125f) - nf * 1.42860682030941723e-6f;  // ln 2 in two parts
    f32x16 p = HELIX_F32X16(1.0f / 5040.0f);
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    y = p * reinterpret_cast<f32x16>((n + 127) << 23);
}

template <int = 0>
inline __attribute__((always_inline)) void fast_tanh(f32x16& x) {
    const i32x16 sign = reinterpret_cast<i32x16>(x) & std::int32_t(0x80000000u);
    f32x16 a = reinterpret_cast<f32x16>(reinterpret_cast<i32x16>(x) & 0x7fffffff);
    a = a < 9.0f ? a : HELIX_F32X16(9.0f);
    const f32x16 a2 = a * a;
    f32x16 p = HELIX_F32X16(-929569.0f / 638512875.0f);
    p = p * a2 + 21844.0f / 6081075.0f;
    p = p * a2 - 1382.0f / 155925.0f;
    p = p * a2 + 62.0f / 2835.0f;
    p = p * a2 - 17.0f / 315.0f;
    p = p * a2 + 2.0f / 15.0f;
    p = p * a2 - 1.0f / 3.0f;
    const f32x16 small = a + a * a2 * p;
    f32x16 e = 2.0f * a;
    fast_exp(e);
    const f32x16 large = 1.0f - 2.0f / (e + 1.0f);
    const f32x16 magnitude = a < 0.5f ? small : large;
    x = reinterpret_cast<f32x16>(reinterpret_cast<i32x16>(magnitude) | sign);
}

// Scalar forms (one lane), for tests.
template <int = 0>
inline float fast_exp(float y) {
    f32x16 v = HELIX_F32X16(y);
    fast_exp(v);
    return v[0];
}
template <int = 0>
inline float fast_tanh(float x) {
    f32x16 v = HELIX_F32X16(x);
    fast_tanh(v);
    return v[0];
}

}  // namespace helix::kernels
