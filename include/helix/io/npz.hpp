// save_npz: NumPy .npz files, as np.savez writes them: a ZIP archive of one .npy member per array ("arr_0.npy", or
// the names given), stored without compression. np.load(path)["arr_0"] reads them back, and so does anything that
// takes np.savez's output (TF-MoDISco's `modisco motifs -s/-a`).
// Represents: a list of (name, values, dims) arrays of one scalar type. Requires: each archive under 4 GiB (no ZIP64:
// shape_error otherwise). Guarantees: written atomically (helix/io/atomic_file.hpp); a dims/values mismatch throws
// shape_error naming the file and the array before anything is written.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "helix/core/error.hpp"
#include "helix/io/atomic_file.hpp"
#include "helix/io/npy.hpp"

namespace helix {

template <class T>
struct npz_array {
    std::string name;  // the member is name + ".npy"
    std::span<const T> values;
    std::vector<std::size_t> dims;
};

namespace detail {

// CRC-32 (IEEE 802.3, the ZIP checksum), continued from `crc`.
inline std::uint32_t crc32(const void* data, std::size_t n, std::uint32_t crc = 0) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    const auto* p = static_cast<const unsigned char*>(data);
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

inline void put16(std::string& s, std::uint32_t v) {
    s += char(v & 0xff);
    s += char((v >> 8) & 0xff);
}
inline void put32(std::string& s, std::uint32_t v) {
    put16(s, v & 0xffff);
    put16(s, v >> 16);
}

}  // namespace detail

template <class T>
void save_npz(const std::filesystem::path& path, const std::vector<npz_array<T>>& arrays) {
    struct member {
        std::string name, preamble;
        std::span<const T> values;
        std::uint32_t crc = 0, size = 0, offset = 0;
    };
    std::vector<member> members;
    std::uint64_t offset = 0;
    for (const auto& a : arrays) {
        member m{a.name + ".npy", detail::npy_preamble<T>(path.string() + " (" + a.name + ")", a.values.size(), a.dims), a.values};
        const std::uint64_t size = m.preamble.size() + a.values.size_bytes();
        if (offset + 30 + m.name.size() + size + 46 + m.name.size() + 22 >= (std::uint64_t{1} << 32) - 1)
            throw shape_error(path.string() + ": more than 4 GiB of arrays, which a ZIP archive without ZIP64 cannot hold");
        m.crc = detail::crc32(a.values.data(), a.values.size_bytes(), detail::crc32(m.preamble.data(), m.preamble.size()));
        m.size = std::uint32_t(size);
        m.offset = std::uint32_t(offset);
        offset += 30 + m.name.size() + size;
        members.push_back(std::move(m));
    }
    // Local header fields shared with the central directory: version 2.0, no flags, stored, 1980-01-01 00:00.
    const auto common = [](std::string& s, const member& m) {
        detail::put16(s, 20);
        detail::put16(s, 0);
        detail::put16(s, 0);
        detail::put16(s, 0);
        detail::put16(s, (0 << 9) | (1 << 5) | 1);
        detail::put32(s, m.crc);
        detail::put32(s, m.size);
        detail::put32(s, m.size);
        detail::put16(s, std::uint32_t(m.name.size()));
        detail::put16(s, 0);
    };
    atomic_file f(path);
    for (const auto& m : members) {
        std::string local;
        detail::put32(local, 0x04034b50);
        common(local, m);
        local += m.name;
        local += m.preamble;
        f.write(local.data(), local.size());
        f.write(m.values.data(), m.values.size_bytes());
    }
    std::string directory;
    for (const auto& m : members) {
        detail::put32(directory, 0x02014b50);
        detail::put16(directory, 20);  // made by: version 2.0
        common(directory, m);
        detail::put16(directory, 0);  // comment length
        detail::put16(directory, 0);  // disk
        detail::put16(directory, 0);  // internal attributes
        detail::put32(directory, 0);  // external attributes
        detail::put32(directory, m.offset);
        directory += m.name;
    }
    std::string end;
    detail::put32(end, 0x06054b50);
    detail::put16(end, 0);
    detail::put16(end, 0);
    detail::put16(end, std::uint32_t(members.size()));
    detail::put16(end, std::uint32_t(members.size()));
    detail::put32(end, std::uint32_t(directory.size()));
    detail::put32(end, std::uint32_t(offset));
    detail::put16(end, 0);
    f.write(directory.data(), directory.size());
    f.write(end.data(), end.size());
    f.commit();
}

}  // namespace helix
