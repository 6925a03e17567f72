// philox: the counter-based generator Philox4x32-10 (Salmon et al., SC'11).
//
// Represents: a pure function (key, counter) -> 4 random 32-bit words. Any thread or device can draw the
// n-th number directly, so results do not depend on thread count or scheduling.
// counter_rng wraps it with a running counter: reserve(n) hands out a block of n draws that parallel code
// indexes by element. Guarantees: same seed, same sequence of reserve() calls -> same numbers, everywhere.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "helix/core/hd.hpp"

namespace helix {

struct philox4x32 {
    using counter = std::array<std::uint32_t, 4>;
    using key = std::array<std::uint32_t, 2>;

    HELIX_HD static counter generate(counter c, key k) {
        constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
        constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
        for (int round = 0; round < 10; ++round) {
            const std::uint64_t p0 = std::uint64_t{m0} * c[0];
            const std::uint64_t p1 = std::uint64_t{m1} * c[2];
            c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
                 static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
            k[0] += w0;
            k[1] += w1;
        }
        return c;
    }
};

// Uniform float in (0, 1] from 32 random bits (never 0, so log() is safe).
HELIX_HD inline float uniform_from_bits(std::uint32_t bits) {
    return (static_cast<float>(bits >> 8) + 1.0f) * (1.0f / 16777216.0f);
}
HELIX_HD inline double uniform_double_from_bits(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t x = (std::uint64_t{hi} << 21) ^ lo;  // 53 bits
    return (static_cast<double>(x & ((std::uint64_t{1} << 53) - 1)) + 1.0) * (1.0 / 9007199254740992.0);
}

// The draws 4g .. 4g + 3 of the stream (seed, stream): one Philox call gives 4 words, one word per index.
HELIX_HD inline philox4x32::counter random_group(std::uint64_t seed, std::uint64_t stream, std::uint64_t g) {
    const philox4x32::counter c{static_cast<std::uint32_t>(g), static_cast<std::uint32_t>(g >> 32),
                                static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32)};
    const philox4x32::key k{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
    return philox4x32::generate(c, k);
}
// The draw with index `i` of the stream.
HELIX_HD inline std::uint32_t random_bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t i) {
    return random_group(seed, stream, i >> 2)[i & 3];
}

class counter_rng {
public:
    explicit counter_rng(std::uint64_t seed = 0, std::uint64_t stream = 0) : seed_(seed), stream_(stream) {}

    std::uint64_t seed() const noexcept { return seed_; }
    std::uint64_t stream() const noexcept { return stream_; }
    std::uint64_t position() const noexcept { return next_; }
    void seek(std::uint64_t position) noexcept { next_ = position; }

    // Reserves n consecutive draws and returns the index of the first; draw(first + k) reads them.
    std::uint64_t reserve(std::uint64_t n) noexcept {
        const std::uint64_t first = next_;
        next_ += n;
        return first;
    }
    HELIX_HD std::uint32_t bits(std::uint64_t index) const { return random_bits(seed_, stream_, index); }
    HELIX_HD float uniform(std::uint64_t index) const { return uniform_from_bits(bits(index)); }
    // f(k, uniform(first + k)) for k in [0, n), with one Philox call per 4 draws instead of one per draw.
    template <class F>
    void for_each_uniform(std::uint64_t first, std::size_t n, F&& f) const {
        std::size_t k = 0;
        while (k < n) {
            const std::uint64_t index = first + k;
            const philox4x32::counter words = random_group(seed_, stream_, index >> 2);
            for (std::size_t lane = index & 3; lane < 4 && k < n; ++lane, ++k) f(k, uniform_from_bits(words[lane]));
        }
    }

    // Sequential draws, for initialisation and shuffling (the last group of 4 is kept: one Philox call per 4).
    std::uint32_t next_bits() {
        const std::uint64_t index = next_++;
        if (index >> 2 != cached_group_ || !cache_valid_) {
            cached_ = random_group(seed_, stream_, index >> 2);
            cached_group_ = index >> 2;
            cache_valid_ = true;
        }
        return cached_[index & 3];
    }
    double next_uniform() {
        const std::uint32_t hi = next_bits();
        return uniform_double_from_bits(hi, next_bits());
    }
    // Standard normal by Box-Muller.
    double next_normal() {
        const double u1 = next_uniform(), u2 = next_uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    // Integer in [0, n) without modulo bias.
    std::uint64_t next_below(std::uint64_t n) {
        if (n <= 1) return 0;
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        for (;;) {
            const std::uint64_t x = (std::uint64_t{next_bits()} << 32) | next_bits();
            if (x < limit) return x % n;
        }
    }

private:
    std::uint64_t seed_;
    std::uint64_t stream_;
    std::uint64_t next_ = 0;
    philox4x32::counter cached_{};
    std::uint64_t cached_group_ = 0;
    bool cache_valid_ = false;
};

}  // namespace helix
