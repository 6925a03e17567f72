// NumPy .npy files: load_npy, save_npy, load_npy_into.
//
// Represents: npy_array, one array as a .npy file holds it: dtype string, dims (C order; empty for a scalar)
// and the raw little-endian bytes. Reads format versions 1.0, 2.0 and 3.0; writes 1.0 (2.0 only when the
// header would not fit). Supported dtypes: <f4 float, <f8 double, <i4 int32, <i8 int64, |u1 uint8.
// Requires: a little-endian host. Guarantees: bad input (truncated, bad magic, Fortran order, big-endian,
// other dtypes, a header that is not the expected dict, missing data) throws helix::io_error naming the file
// and the problem; writes are atomic (helix/io/atomic_file.hpp).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "helix/core/error.hpp"
#include "helix/core/tensor.hpp"
#include "helix/io/atomic_file.hpp"

namespace helix {

static_assert(std::endian::native == std::endian::little,
              "helix/io: .npy and safetensors data are little-endian; big-endian hosts are not supported");

// The .npy dtype string of T.
template <class T>
constexpr std::string_view npy_dtype() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, float>) return "<f4";
    else if constexpr (std::is_same_v<U, double>) return "<f8";
    else if constexpr (std::is_same_v<U, std::int32_t>) return "<i4";
    else if constexpr (std::is_same_v<U, std::int64_t>) return "<i8";
    else if constexpr (std::is_same_v<U, std::uint8_t>) return "|u1";
    else static_assert(!sizeof(T*), "npy: supported element types are float, double, int32_t, int64_t and uint8_t");
}

namespace detail {

inline constexpr std::string_view npy_magic{"\x93NUMPY", 6};

// Item size of a supported dtype, 0 for any other.
inline std::size_t npy_item_size(std::string_view dtype) {
    if (dtype == "<f4" || dtype == "<i4") return 4;
    if (dtype == "<f8" || dtype == "<i8") return 8;
    if (dtype == "|u1") return 1;
    return 0;
}

inline std::string npy_dtype_name(std::string_view dtype) {
    const std::string_view names[][2] = {
        {"<f4", "float32"}, {"<f8", "float64"}, {"<i4", "int32"}, {"<i8", "int64"}, {"|u1", "uint8"}};
    for (const auto& n : names)
        if (dtype == n[0]) return std::string(dtype) + " (" + std::string(n[1]) + ")";
    return std::string(dtype);
}

inline std::string join_dims(std::span<const std::size_t> dims) {
    std::string s;
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s;
}

// "(2, 3, 4)", "(5,)" and "()": Python's spelling of a shape tuple.
inline std::string shape_tuple(std::span<const std::size_t> dims) {
    return "(" + join_dims(dims) + (dims.size() == 1 ? ",)" : ")");
}

template <class T>
void check_npy_dtype(std::string_view dtype, const std::filesystem::path& file) {
    if (dtype != npy_dtype<T>())
        throw io_error(file.string() + ": expected dtype " + npy_dtype_name(npy_dtype<T>()) + ", found " +
                       npy_dtype_name(dtype));
}

// Element count of dims; false when it overflows std::size_t (a hostile header).
inline bool element_count(std::span<const std::size_t> dims, std::size_t& n) {
    n = 1;
    for (auto d : dims) {
        if (d != 0 && n > SIZE_MAX / d) return false;
        n *= d;
    }
    return true;
}

// The header of a .npy file: a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }
// Parses exactly what numpy writes: string keys; string, True/False and integer-tuple values.
class npy_header_parser {
public:
    npy_header_parser(std::string_view text, std::string file) : s_(text), file_(std::move(file)) {}

    std::string descr;
    bool fortran_order = false;
    std::vector<std::size_t> shape;

    void parse() {
        skip_ws();
        if (!eat('{')) fail("the header is not a dict");
        constexpr std::string_view keys[] = {"descr", "fortran_order", "shape"};
        bool seen[3] = {};
        skip_ws();
        while (!eat('}')) {
            const std::string key = string_value("a key");
            skip_ws();
            if (!eat(':')) fail("expected ':' after '" + key + "'");
            skip_ws();
            const auto k = std::size_t(std::find(keys, keys + 3, key) - keys);
            if (k == 3) fail("unexpected key '" + key + "' (a .npy header has descr, fortran_order and shape)");
            if (seen[k]) fail("duplicate key '" + key + "'");
            seen[k] = true;
            if (k == 0) {
                if (peek() == '[' || peek() == '{') fail("structured dtypes are not supported; " + supported());
                descr = string_value("the descr");
            } else if (k == 1) {
                fortran_order = bool_value();
            } else {
                shape = tuple_value();
            }
            skip_ws();
            if (!eat(',')) {
                skip_ws();
                if (!eat('}')) fail("expected ',' or '}' after the value of '" + key + "'");
                break;
            }
            skip_ws();
        }
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected text after the header dict");
        for (std::size_t k = 0; k < 3; ++k)
            if (!seen[k]) fail("the header has no '" + std::string(keys[k]) + "'");
    }

    static std::string supported() { return "supported: <f4 float32, <f8 float64, <i4 int32, <i8 int64, |u1 uint8"; }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw io_error(file_ + ": bad .npy header (" + what + "): " + std::string(s_));
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    void skip_ws() {
        while (pos_ < s_.size() && std::string_view(" \t\n\r").find(s_[pos_]) != std::string_view::npos) ++pos_;
    }
    std::string string_value(const char* what) {
        const char q = peek();
        if (q != '\'' && q != '"') fail(std::string("expected a string for ") + what);
        const auto end = s_.find(q, ++pos_);
        if (end == std::string_view::npos) fail("unterminated string");
        std::string v(s_.substr(pos_, end - pos_));
        if (v.find('\\') != std::string::npos) fail("escapes in strings are not supported");
        pos_ = end + 1;
        return v;
    }
    bool bool_value() {
        if (s_.substr(pos_, 4) == "True") return pos_ += 4, true;
        if (s_.substr(pos_, 5) == "False") return pos_ += 5, false;
        fail("fortran_order must be True or False");
    }
    std::vector<std::size_t> tuple_value() {
        if (!eat('(')) fail("shape must be a tuple of integers");
        std::vector<std::size_t> dims;
        skip_ws();
        while (!eat(')')) {
            if (peek() < '0' || peek() > '9') fail("shape must be a tuple of non-negative integers");
            std::size_t d = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto digit = static_cast<std::size_t>(s_[pos_++] - '0');
                if (d > (SIZE_MAX - digit) / 10) fail("a shape extent is too large");
                d = d * 10 + digit;
            }
            dims.push_back(d);
            skip_ws();
            if (!eat(',')) {
                if (!eat(')')) fail("expected ',' or ')' in the shape tuple");
                break;
            }
            skip_ws();
        }
        return dims;
    }

    std::string_view s_;
    std::string file_;
    std::size_t pos_ = 0;
};

}  // namespace detail

struct npy_array {
    std::string dtype;                // "<f4", "<f8", "<i4", "<i8" or "|u1"
    std::vector<std::size_t> dims;    // C order; empty for a scalar
    std::vector<std::byte> bytes;     // element count x item size, little-endian
    std::filesystem::path file;       // where it was read from, for messages (empty when built in memory)

    std::size_t size() const {
        std::size_t n = 1;
        for (auto d : dims) n *= d;
        return n;
    }

    // Copies the values into `out` (exactly size() elements) after checking the dtype is T's exactly.
    template <class T>
    void copy_to(std::span<T> out) const {
        detail::check_npy_dtype<T>(dtype, file);
        if (out.size() * sizeof(T) != bytes.size())
            throw shape_error(file.string() + ": the array has " + std::to_string(bytes.size() / sizeof(T)) +
                              " elements, the destination " + std::to_string(out.size()));
        if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    }

    // The values as T; throws io_error naming the expected and the found dtype unless dtype is exactly T's.
    template <class T>
    std::vector<T> as() const {
        std::vector<T> v(bytes.size() / sizeof(T));
        copy_to(std::span<T>(v));
        return v;
    }
};

inline npy_array load_npy(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(path, ec);
    if (ec) throw io_error(name + ": cannot read: " + ec.message());
    std::string raw(file_size, '\0');
    std::ifstream in(path, std::ios::binary);
    if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size())))
        throw io_error(name + ": cannot read " + std::to_string(file_size) + " bytes");

    const std::string_view s(raw);
    if (s.substr(0, detail::npy_magic.size()) != detail::npy_magic.substr(0, s.size()))
        throw io_error(name + ": not a .npy file (it does not start with \\x93NUMPY)");
    if (s.size() < 10)
        throw io_error(name + ": truncated: " + std::to_string(s.size()) + " bytes, less than a .npy preamble");
    const auto major = static_cast<unsigned char>(s[6]), minor = static_cast<unsigned char>(s[7]);
    if (major < 1 || major > 3 || minor != 0)
        throw io_error(name + ": unsupported .npy format version " + std::to_string(major) + "." +
                       std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
    // Version 1.0 stores the header length in 2 bytes, 2.0 and 3.0 in 4 (3.0 also allows UTF-8 in the header).
    const std::size_t len_bytes = major == 1 ? 2 : 4, start = 8 + len_bytes;
    if (s.size() < start) throw io_error(name + ": truncated: the file ends inside the header length");
    std::size_t header_len = 0;
    for (std::size_t i = 0; i < len_bytes; ++i)
        header_len |= std::size_t(static_cast<unsigned char>(s[8 + i])) << (8 * i);
    if (header_len > s.size() - start)
        throw io_error(name + ": truncated: the header is " + std::to_string(header_len) + " bytes, the file holds " +
                       std::to_string(s.size() - start) + " after the preamble");

    detail::npy_header_parser h(s.substr(start, header_len), name);
    h.parse();
    const std::size_t item = detail::npy_item_size(h.descr);
    if (item == 0) {
        if (!h.descr.empty() && h.descr[0] == '>')
            throw io_error(name + ": big-endian data ('" + h.descr + "') is not supported; save it with a.astype('<" +
                           h.descr.substr(1) + "')");
        throw io_error(name + ": unsupported dtype '" + h.descr + "' (" + detail::npy_header_parser::supported() + ")");
    }
    if (h.fortran_order)
        throw io_error(name + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead");
    std::size_t count = 0;
    if (!detail::element_count(h.shape, count) || count > SIZE_MAX / item)
        throw io_error(name + ": shape " + detail::shape_tuple(h.shape) + " is too large");
    const std::size_t need = count * item, have = s.size() - start - header_len;
    if (have != need)
        throw io_error(name + ": the header says " + detail::shape_tuple(h.shape) + " " + h.descr + " = " +
                       std::to_string(need) + " bytes of data, the file holds " + std::to_string(have) +
                       (have < need ? " (truncated)" : " (trailing bytes)"));

    npy_array a{h.descr, std::move(h.shape), std::vector<std::byte>(need), path};
    if (need) std::memcpy(a.bytes.data(), s.data() + start + header_len, need);
    return a;
}

namespace detail {
// Everything of a .npy file before its data: magic, version, header length and the padded header.
template <class T>
std::string npy_preamble(const std::filesystem::path& path, std::size_t values, const std::vector<std::size_t>& dims) {
    std::size_t count = 0;
    if (!detail::element_count(dims, count) || count != values)
        throw shape_error(path.string() + ": shape " + detail::shape_tuple(dims) + " does not hold the " +
                          std::to_string(values) + " values given");
    std::string header = "{'descr': '" + std::string(npy_dtype<T>()) + "', 'fortran_order': False, 'shape': " +
                         detail::shape_tuple(dims) + ", }";
    // numpy pads with spaces and a newline so that the data starts at a multiple of 64 bytes. Format 1.0 has
    // 2 bytes for the header length; only a shape of thousands of extents needs 2.0.
    const bool v1 = 10 + header.size() + 64 <= 65535;
    const std::size_t preamble = v1 ? 10 : 12;
    header.append((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
    header += '\n';
    std::string head(detail::npy_magic);
    head += char(v1 ? 1 : 2);
    head += char(0);
    for (std::size_t i = 0; i < preamble - 8; ++i) head += char((header.size() >> (8 * i)) & 0xff);
    head += header;
    return head;
}
}  // namespace detail

// Writes `data` with shape `dims` (C order). Throws shape_error when dims do not hold data.size() values.
template <class T>
void save_npy(const std::filesystem::path& path, std::span<const T> data, std::vector<std::size_t> dims) {
    const std::string head = detail::npy_preamble<T>(path, data.size(), dims);
    atomic_file f(path);
    f.write(head.data(), head.size());
    f.write(data.data(), data.size_bytes());
    f.commit();
}

template <class T>
void save_npy(const std::filesystem::path& path, const std::vector<T>& data, std::vector<std::size_t> dims) {
    save_npy(path, std::span<const T>(data), std::move(dims));
}

// A helix tensor as an array of shape (batch, Ds...).
template <class T, class Shape>
void save_npy(const std::filesystem::path& path, tensor_view<T, Shape, cpu> v) {
    std::vector<std::size_t> dims{v.batch()};
    dims.insert(dims.end(), Shape::dims.begin(), Shape::dims.end());
    save_npy(path, std::span<const std::remove_const_t<T>>(v.data(), v.size()), std::move(dims));
}

template <class T, class Shape>
void save_npy(const std::filesystem::path& path, const tensor<T, Shape>& t) {
    save_npy(path, t.cview());
}

// Loads an array of shape (batch, Ds...) and dtype T into `t`, resizing it to the file's batch.
// Throws io_error naming the file, the expected and the found shape or dtype; `t` is unchanged then.
template <class T, class Shape>
void load_npy_into(const std::filesystem::path& path, tensor<T, Shape>& t) {
    const npy_array a = load_npy(path);
    const std::span<const std::size_t> expected(Shape::dims);
    if (a.dims.size() != Shape::rank + 1)
        throw io_error(path.string() + ": expected shape (batch, " + detail::join_dims(expected) + "), found " +
                       detail::shape_tuple(a.dims));
    const std::span<const std::size_t> found(a.dims.data() + 1, Shape::rank);
    if (!std::equal(found.begin(), found.end(), expected.begin()))
        throw io_error(path.string() + ": expected per-sample shape " + detail::shape_tuple(expected) + ", found " +
                       detail::shape_tuple(found));
    detail::check_npy_dtype<T>(a.dtype, path);
    t.resize(a.dims[0]);
    a.copy_to(std::span<T>(t.data(), t.size()));
}

}  // namespace helix
