// fill_uniforms: a block of a counter_rng's uniforms, Philox4x32-10 computed for 16 counters at once.
//
// Represents: out[k] = rng.uniform(first + k) for k in [0, n), the same bits as the scalar generator (core/rng.hpp).
// Dropout draws one uniform per value (millions per training step); one scalar Philox call per 4 values cost 8 % of
// a step. Here the rounds run on 16 counters held as four arrays of lanes, a loop the compiler turns into 32-bit
// vector multiplies (vpmuludq), dispatched to AVX-512 or AVX2 where the CPU has them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "helix/backend/cpu/isa.hpp"
#include "helix/core/rng.hpp"

namespace helix::backend::cpu {

struct philox_uniforms_kernel {
    static constexpr std::size_t lanes = 16;

    // out[4 * i + j] = word j of Philox group first_group + i, as a uniform, for i in [0, groups).
    HELIX_ALWAYS_INLINE static void run(std::uint64_t seed, std::uint64_t stream, std::uint64_t first_group,
                                        std::size_t groups, float* out) {
        constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;  // philox4x32::generate's constants
        constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
        for (std::size_t g0 = 0; g0 < groups; g0 += lanes) {
            std::uint32_t c0[lanes], c1[lanes], c2[lanes], c3[lanes];
            for (std::size_t l = 0; l < lanes; ++l) {
                const std::uint64_t g = first_group + g0 + l;
                c0[l] = std::uint32_t(g);
                c1[l] = std::uint32_t(g >> 32);
                c2[l] = std::uint32_t(stream);
                c3[l] = std::uint32_t(stream >> 32);
            }
            std::uint32_t k0 = std::uint32_t(seed), k1 = std::uint32_t(seed >> 32);
            for (int round = 0; round < 10; ++round) {
                for (std::size_t l = 0; l < lanes; ++l) {
                    const std::uint64_t p0 = std::uint64_t{m0} * c0[l];
                    const std::uint64_t p1 = std::uint64_t{m1} * c2[l];
                    c0[l] = std::uint32_t(p1 >> 32) ^ c1[l] ^ k0;
                    c1[l] = std::uint32_t(p1);
                    c2[l] = std::uint32_t(p0 >> 32) ^ c3[l] ^ k1;
                    c3[l] = std::uint32_t(p0);
                }
                k0 += w0;
                k1 += w1;
            }
            const std::size_t count = groups - g0 < lanes ? groups - g0 : lanes;
            float* o = out + 4 * g0;
            for (std::size_t l = 0; l < count; ++l) {
                o[4 * l + 0] = uniform_from_bits(c0[l]);
                o[4 * l + 1] = uniform_from_bits(c1[l]);
                o[4 * l + 2] = uniform_from_bits(c2[l]);
                o[4 * l + 3] = uniform_from_bits(c3[l]);
            }
        }
    }
};

// out[k] = rng.uniform(first + k) for k in [0, n).
inline void fill_uniforms(const counter_rng& rng, std::uint64_t first, std::size_t n, float* out) {
    if (n == 0) return;
    const std::uint64_t first_group = first >> 2, skip = first & 3;  // draws of the first group before `first`
    const std::size_t groups = std::size_t((skip + n + 3) / 4);
    if (skip == 0 && n % 4 == 0) {  // whole groups: straight into out
        run_kernel<philox_uniforms_kernel>(rng.seed(), rng.stream(), first_group, groups, out);
        return;
    }
    thread_local std::vector<float> words;
    words.resize(4 * groups);
    run_kernel<philox_uniforms_kernel>(rng.seed(), rng.stream(), first_group, groups, words.data());
    for (std::size_t k = 0; k < n; ++k) out[k] = words[std::size_t(skip) + k];
}

}  // namespace helix::backend::cpu
