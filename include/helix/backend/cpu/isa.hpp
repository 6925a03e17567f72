// Run-time choice of the widest vector instructions for helix's own hot loops.
//
// Represents: the Release build stays portable (-O2, no -march), yet the convolution gather and the attention
// scores should run with AVX-512 or AVX2 where the CPU has them. A kernel is a type with a static
// HELIX_ALWAYS_INLINE run(args...); run_kernel<Kernel>(args...) inlines it into three copies compiled for
// AVX-512, AVX2 + FMA and the baseline, and calls the widest one this CPU supports (checked once).
// Requires: GCC or Clang on x86-64 for the dispatch; elsewhere, with HELIX_NO_DISPATCH, or when the build already
// targets AVX-512 (-march=native, HELIX_NATIVE) run() is called directly.
// Guarantees: every path computes the same function; results may differ in the last bits (FMA contraction).
#pragma once

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(HELIX_NO_DISPATCH) && \
    !defined(__AVX512F__)
#define HELIX_ISA_DISPATCH 1
#else
#define HELIX_ISA_DISPATCH 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HELIX_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define HELIX_ALWAYS_INLINE inline
#endif

namespace helix::backend::cpu {

enum class isa { baseline, avx2, avx512 };

// The widest instruction set this CPU runs that this build dispatches to (baseline without dispatch). The
// environment variable HELIX_ISA=baseline|avx2 caps it, so that tests run every path on one machine.
inline isa detected_isa() noexcept {
#if HELIX_ISA_DISPATCH
    static const isa level = [] {
        __builtin_cpu_init();
        isa widest = isa::baseline;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
            widest = isa::avx512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            widest = isa::avx2;
        const char* cap = std::getenv("HELIX_ISA");
        if (cap && std::strcmp(cap, "baseline") == 0) return isa::baseline;
        if (cap && std::strcmp(cap, "avx2") == 0 && widest == isa::avx512) return isa::avx2;
        return widest;
    }();
    return level;
#else
    return isa::baseline;
#endif
}

inline const char* isa_name(isa i) noexcept {
    return i == isa::avx512 ? "avx512" : i == isa::avx2 ? "avx2" : "baseline";
}

#if HELIX_ISA_DISPATCH
namespace detail {
// Clang rejects (and then ignores the whole attribute for) GCC's prefer-vector-width; min_vector_width says the same.
#if defined(__clang__)
#define HELIX_TARGET_AVX512 \
    __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2,popcnt"), min_vector_width(512)))
#else
#define HELIX_TARGET_AVX512 \
    __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2,popcnt,prefer-vector-width=512")))
#endif
template <class Kernel, class... Args>
HELIX_TARGET_AVX512 void run_avx512(Args... args) {
    Kernel::run(args...);
}
template <class Kernel, class... Args>
__attribute__((target("avx2,fma,bmi,bmi2,popcnt"))) void run_avx2(Args... args) {
    Kernel::run(args...);
}
}  // namespace detail
#endif

// Kernel::run(args...) with the widest instruction set available. Args are passed by value (pointers, sizes).
template <class Kernel, class... Args>
void run_kernel(Args... args) {
#if HELIX_ISA_DISPATCH
    switch (detected_isa()) {
    case isa::avx512: detail::run_avx512<Kernel, Args...>(args...); return;
    case isa::avx2: detail::run_avx2<Kernel, Args...>(args...); return;
    default: break;
    }
#endif
    Kernel::run(args...);
}

}  // namespace helix::backend::cpu
