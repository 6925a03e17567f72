// safetensors files: a network's parameters as a checkpoint, and named tensors in general.
//
// Represents: the format of huggingface/safetensors: an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}, ...}
// padded with spaces to a multiple of 8, then the raw little-endian data (offsets count from its start).
// save_safetensors / load_safetensors store a network under its parameter names (F32 for float, F64 for
// double); read_safetensors / write_safetensors handle any set of named tensors (optimizer state, fixtures).
// Requires: a little-endian host. Guarantees: loading checks everything before it changes the network;
// hostile or broken files (invalid JSON, a header longer than the file, offsets out of range, overlapping,
// leaving gaps or disagreeing with dtype x shape, duplicate names, unknown dtypes) throw helix::io_error naming
// the file and the problem; writes are atomic (helix/io/atomic_file.hpp). The JSON reader and writer here cover
// exactly this format; helix needs no JSON library.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "helix/core/error.hpp"
#include "helix/io/atomic_file.hpp"

namespace helix {

static_assert(std::endian::native == std::endian::little,
              "helix/io: .npy and safetensors data are little-endian; big-endian hosts are not supported");

// The safetensors dtype of T ("F32" for float).
template <class T>
constexpr std::string_view safetensors_dtype() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, float>) return "F32";
    else if constexpr (std::is_same_v<U, double>) return "F64";
    else if constexpr (std::is_same_v<U, std::int8_t>) return "I8";
    else if constexpr (std::is_same_v<U, std::int16_t>) return "I16";
    else if constexpr (std::is_same_v<U, std::int32_t>) return "I32";
    else if constexpr (std::is_same_v<U, std::int64_t>) return "I64";
    else if constexpr (std::is_same_v<U, std::uint8_t>) return "U8";
    else if constexpr (std::is_same_v<U, std::uint16_t>) return "U16";
    else if constexpr (std::is_same_v<U, std::uint32_t>) return "U32";
    else if constexpr (std::is_same_v<U, std::uint64_t>) return "U64";
    else if constexpr (std::is_same_v<U, bool>) return "BOOL";
    else static_assert(!sizeof(T*), "safetensors: no dtype for T (use float, double or a fixed-width integer)");
}

namespace detail {

// Bytes per element of a safetensors dtype; 0 when the format has no such dtype.
inline std::size_t safetensors_item_size(std::string_view dtype) {
    static constexpr std::pair<std::string_view, std::size_t> table[] = {
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},   {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
        {"BF16", 2}, {"I32", 4}, {"U32", 4},  {"F32", 4},     {"I64", 8},     {"U64", 8}, {"F64", 8}};
    for (const auto& [name, size] : table)
        if (dtype == name) return size;
    return 0;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8 (overlong forms and
// surrogates included): JSON text must be valid UTF-8.
inline std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    const std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    const unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    }
    return n;
}

// Appends the code point cp (below 0x110000) as UTF-8.
inline void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) return void(out += char(cp));
    const int n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    constexpr unsigned lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    out += char(lead[n] | cp >> (6 * (n - 1)));
    for (int k = n - 2; k >= 0; --k) out += char(0x80 | (cp >> (6 * k) & 0x3F));
}

inline std::string dims_list(std::span<const std::size_t> dims, const char* separator = ", ") {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? separator : "") + std::to_string(dims[i]);
    return s + "]";
}

// The number of bytes `dims` of `item`-byte elements take; false on overflow.
inline bool byte_count(std::span<const std::size_t> dims, std::size_t item, std::size_t& n) {
    n = item;
    for (auto d : dims) {
        if (d != 0 && n > SIZE_MAX / d) return false;
        n *= d;
    }
    return true;
}

// A JSON string literal for s (which must be valid UTF-8; it is written as is, control characters escaped).
inline std::string json_quote(std::string_view s) {
    std::string q = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') q += {'\\', ch};
        else if (c == '\n') q += "\\n";
        else if (c == '\t') q += "\\t";
        else if (c < 0x20) {
            const char hex[] = "0123456789abcdef";
            q += {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        } else q += ch;
    }
    return q + '"';
}

// One tensor entry of a safetensors header, as read.
struct safetensors_header_entry {
    std::string name, dtype;
    std::vector<std::size_t> dims;
    std::size_t begin = 0, end = 0;
};

// A strict reader of the safetensors header: exactly the JSON grammar, restricted to the shape the format
// has (an object of tensor entries and an optional "__metadata__" object of strings). It follows that shape
// instead of building a JSON tree, so nesting cannot run deep whatever the input.
class safetensors_header_parser {
public:
    safetensors_header_parser(std::string_view text, std::string file) : s_(text), file_(std::move(file)) {}

    std::vector<safetensors_header_entry> entries;
    std::map<std::string, std::string> metadata;

    void parse() {
        object("tensor name", [&](std::string key) {
            if (key != "__metadata__") return entries.push_back(entry(std::move(key)));
            object("metadata key", [&](std::string k) {
                if (peek() != '"') fail("__metadata__ values must be strings (" + json_quote(k) + " is not)");
                metadata[std::move(k)] = string();
            });
        });
        skip_ws();
        if (pos_ != s_.size()) fail("unexpected text after the header object");
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw io_error(file_ + ": invalid safetensors header: " + what + " (at byte " + std::to_string(pos_) +
                       " of the header)");
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void expect(char c, const char* context) {
        skip_ws();
        if (peek() != c) fail(std::string("expected '") + c + "' " + context);
        ++pos_;
        skip_ws();
    }
    void skip_ws() {
        while (pos_ < s_.size() && std::string_view(" \t\n\r").find(s_[pos_]) != std::string_view::npos) ++pos_;
    }

    // An object; member(key) reads each value. Duplicate keys are an error (JSON leaves their meaning open).
    template <class F>
    void object(const char* key_kind, F&& member) {
        expect('{', "to open an object");
        std::set<std::string> keys;
        if (peek() == '}') return void(++pos_);
        while (true) {
            if (peek() != '"') fail("expected a string key");
            std::string key = string();
            if (!keys.insert(key).second) fail(std::string("duplicate ") + key_kind + " " + json_quote(key));
            expect(':', "after a key");
            member(std::move(key));
            skip_ws();
            if (peek() == '}') return void(++pos_);
            expect(',', "or '}' after a value");
        }
    }

    safetensors_header_entry entry(std::string name) {
        safetensors_header_entry e{std::move(name), {}, {}, 0, 0};
        bool dtype = false, shape = false, offsets = false;
        const std::string what = "tensor " + json_quote(e.name);
        object("key", [&](const std::string& key) {
            if (key == "dtype") {
                if (peek() != '"') fail(what + ": dtype must be a string");
                e.dtype = string();
                dtype = true;
            } else if (key == "shape") {
                e.dims = integers(what + ": shape");
                shape = true;
            } else if (key == "data_offsets") {
                const auto o = integers(what + ": data_offsets");
                if (o.size() != 2) fail(what + ": data_offsets must be [begin, end]");
                e.begin = o[0];
                e.end = o[1];
                offsets = true;
            } else {
                fail(what + ": unexpected key " + json_quote(key) + " (expected dtype, shape and data_offsets)");
            }
        });
        if (!dtype || !shape || !offsets)
            fail(what + ": missing " + (!dtype ? "dtype" : !shape ? "shape" : "data_offsets"));
        return e;
    }

    std::vector<std::size_t> integers(const std::string& what) {
        std::vector<std::size_t> v;
        expect('[', ("to open " + what).c_str());
        if (peek() == ']') return ++pos_, v;
        while (true) {
            if (peek() < '0' || peek() > '9') fail(what + " must hold non-negative integers");
            if (peek() == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9')
                fail(what + ": leading zeros are not JSON");
            std::size_t x = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto digit = static_cast<std::size_t>(s_[pos_++] - '0');
                if (x > (SIZE_MAX - digit) / 10) fail(what + ": integer too large");
                x = x * 10 + digit;
            }
            if (peek() == '.' || peek() == 'e' || peek() == 'E') fail(what + " must hold integers");
            v.push_back(x);
            skip_ws();
            if (peek() == ']') return ++pos_, v;
            expect(',', ("or ']' in " + what).c_str());
        }
    }

    unsigned hex4() {
        constexpr std::string_view digits = "0123456789abcdefABCDEF";
        unsigned v = 0;
        for (int i = 0; i < 4; ++i, ++pos_) {
            const std::size_t d = pos_ < s_.size() ? digits.find(s_[pos_]) : std::string_view::npos;
            if (d == std::string_view::npos) fail("\\u must be followed by 4 hex digits");
            v = v * 16 + unsigned(d < 16 ? d : d - 6);
        }
        return v;
    }

    // The code point of a \u escape (after the "\u"); beyond the BMP it is a surrogate pair: \uD83E\uDDEC.
    unsigned code_point() {
        const unsigned hi = hex4();
        if (hi >= 0xDC00 && hi <= 0xDFFF) fail("unpaired low surrogate in \\u escape");
        if (hi < 0xD800 || hi > 0xDBFF) return hi;
        if (s_.substr(pos_, 2) != "\\u") fail("high surrogate without a following \\u low surrogate");
        pos_ += 2;
        const unsigned lo = hex4();
        if (lo < 0xDC00 || lo > 0xDFFF) fail("high surrogate not followed by a low surrogate");
        return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    }

    std::string string() {
        ++pos_;  // the opening quote
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) fail("unterminated string");
            const char c = s_[pos_];
            if (c == '"') return ++pos_, out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string (it must be escaped)");
            if (c != '\\') {
                const std::size_t n = utf8_length(s_, pos_);
                if (n == 0) fail("invalid UTF-8");
                out.append(s_.substr(pos_, n));
                pos_ += n;
                continue;
            }
            const char e = ++pos_ < s_.size() ? s_[pos_++] : '\0';
            const std::size_t k = std::string_view("\"\\/bfnrt").find(e);
            if (e == 'u') append_utf8(out, code_point());
            else if (k == std::string_view::npos) fail("invalid escape in a string");
            else out += "\"\\/\b\f\n\r\t"[k];
        }
    }

    std::string_view s_;
    std::string file_;
    std::size_t pos_ = 0;
};

// What write_safetensors needs of one tensor, borrowed (so a network's arena is written without a copy).
struct safetensors_ref {
    std::string_view name, dtype;
    std::span<const std::size_t> dims;
    std::span<const std::byte> bytes;
};

inline void write_safetensors(const std::filesystem::path& path, std::span<const safetensors_ref> tensors,
                              const std::map<std::string, std::string>& metadata) {
    const std::string file = path.string();
    auto text = [&](std::string_view s, const std::string& what) {
        for (std::size_t i = 0; i < s.size(); i += utf8_length(s, i))
            if (utf8_length(s, i) == 0) throw argument_error(file + ": " + what + " is not valid UTF-8");
        return json_quote(s);
    };
    std::string header = "{";
    if (!metadata.empty()) {
        header += "\"__metadata__\":{";
        for (const auto& [k, v] : metadata) {
            if (header.back() != '{') header += ",";
            header += text(k, "a metadata key") + ":" + text(v, "metadata " + json_quote(k));
        }
        header += "}";
    }
    std::set<std::string_view> names;
    std::size_t offset = 0;
    for (const auto& t : tensors) {
        const std::string what = "tensor " + json_quote(t.name);
        if (t.name == "__metadata__" || !names.insert(t.name).second)
            throw argument_error(file + ": " + what + " is reserved or given twice");
        const std::size_t item = safetensors_item_size(t.dtype);
        if (item == 0) throw argument_error(file + ": " + what + " has unknown dtype " + std::string(t.dtype));
        std::size_t n = 0;
        if (!byte_count(t.dims, item, n) || n != t.bytes.size())
            throw argument_error(file + ": " + what + ": " + std::string(t.dtype) + " of shape " + dims_list(t.dims) +
                                 " does not take the " + std::to_string(t.bytes.size()) + " bytes given");
        if (header.back() != '{') header += ",";
        header += text(t.name, what) + ":{\"dtype\":\"" + std::string(t.dtype) + "\",\"shape\":" +
                  dims_list(t.dims, ",") + ",\"data_offsets\":[" + std::to_string(offset) + "," +
                  std::to_string(offset + n) + "]}";
        offset += n;
    }
    header += "}";
    header.append((8 - header.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned

    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(std::uint64_t(header.size()) >> (8 * i));
    atomic_file f(path);
    f.write(length, 8);
    f.write(header.data(), header.size());
    for (const auto& t : tensors) f.write(t.bytes.data(), t.bytes.size());
    f.commit();
}

}  // namespace detail

// One named tensor of a safetensors file.
struct safetensors_entry {
    std::string name;
    std::string dtype;               // "F32", "F64", "I64", ... (any dtype of the format)
    std::vector<std::size_t> dims;   // C order; empty for a scalar
    std::vector<std::byte> bytes;    // little-endian

    template <class T>
    static safetensors_entry from(std::string name, std::span<const T> values, std::vector<std::size_t> dims) {
        const auto b = std::as_bytes(values);
        return {std::move(name), std::string(safetensors_dtype<T>()), std::move(dims), {b.begin(), b.end()}};
    }

    // The values as T; throws io_error unless dtype is exactly T's.
    template <class T>
    std::vector<T> as() const {
        if (dtype != safetensors_dtype<T>())
            throw io_error("safetensors tensor \"" + name + "\": expected dtype " +
                           std::string(safetensors_dtype<T>()) + ", found " + dtype);
        std::vector<T> v(bytes.size() / sizeof(T));
        if (!bytes.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
        return v;
    }
};

struct safetensors_file {
    std::vector<safetensors_entry> entries;   // in the order of their data in the file
    std::map<std::string, std::string> metadata;
    std::filesystem::path file;

    const safetensors_entry* find(std::string_view name) const {
        for (const auto& e : entries)
            if (e.name == name) return &e;
        return nullptr;
    }
    // The tensor called `name`; throws io_error naming the file when there is none.
    const safetensors_entry& at(std::string_view name) const {
        if (const auto* e = find(name)) return *e;
        throw io_error(file.string() + ": no tensor \"" + std::string(name) + "\"");
    }
};

inline safetensors_file read_safetensors(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw io_error(name + ": cannot read: " + ec.message());
    std::ifstream in(path, std::ios::binary);
    auto read = [&](void* p, std::size_t n) {
        if (!in.read(static_cast<char*>(p), static_cast<std::streamsize>(n)))
            throw io_error(name + ": unexpected end of file while reading");
    };
    if (size < 8)
        throw io_error(name + ": not a safetensors file: " + std::to_string(size) +
                       " bytes, less than the 8-byte header length");
    unsigned char len_bytes[8];
    read(len_bytes, 8);
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(len_bytes[i]) << (8 * i);
    if (n > size - 8)
        throw io_error(name + ": header length " + std::to_string(n) + " is larger than the rest of the file (" +
                       std::to_string(size - 8) + " bytes)");
    // The reference implementation's limit; a larger header is a broken or hostile file.
    if (n > 100'000'000) throw io_error(name + ": header length " + std::to_string(n) + " exceeds the 100 MB limit");
    std::string header(n, '\0');
    read(header.data(), header.size());

    detail::safetensors_header_parser p(header, name);
    p.parse();
    const std::size_t data_size = static_cast<std::size_t>(size - 8 - n);
    auto& hs = p.entries;
    auto offsets = [](const auto& h) {
        return "data_offsets [" + std::to_string(h.begin) + ", " + std::to_string(h.end) + "]";
    };
    for (const auto& h : hs) {
        const std::string what = name + ": tensor " + detail::json_quote(h.name) + ": ";
        const std::size_t item = detail::safetensors_item_size(h.dtype);
        if (item == 0)
            throw io_error(what + "unknown dtype " + detail::json_quote(h.dtype) +
                           " (the format has BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, I64, "
                           "U64, F64)");
        if (h.begin > h.end) throw io_error(what + offsets(h) + " end before they begin");
        if (h.end > data_size)
            throw io_error(what + offsets(h) + " are out of range (the data section holds " +
                           std::to_string(data_size) + " bytes)");
        std::size_t need = 0;
        const bool fits = detail::byte_count(h.dims, item, need);
        if (!fits || need != h.end - h.begin)
            throw io_error(what + offsets(h) + " hold " + std::to_string(h.end - h.begin) + " bytes, but " + h.dtype +
                           " of shape " + detail::dims_list(h.dims) + " needs " +
                           (fits ? std::to_string(need) : "more than 2^64"));
    }
    // Like the reference implementation: the tensors tile the data section exactly, without overlap or gaps.
    std::sort(hs.begin(), hs.end(),
              [](const auto& a, const auto& b) { return std::pair(a.begin, a.end) < std::pair(b.begin, b.end); });
    std::size_t at = 0;
    for (std::size_t i = 0; i <= hs.size(); ++i) {
        const std::size_t next = i < hs.size() ? hs[i].begin : data_size;
        if (next < at)
            throw io_error(name + ": tensors " + detail::json_quote(hs[i - 1].name) + " and " +
                           detail::json_quote(hs[i].name) + " overlap (" + offsets(hs[i - 1]) + " and " +
                           offsets(hs[i]) + ")");
        if (next > at)
            throw io_error(name + ": bytes [" + std::to_string(at) + ", " + std::to_string(next) +
                           ") of the data section belong to no tensor");
        if (i < hs.size()) at = hs[i].end;
    }

    safetensors_file f{{}, std::move(p.metadata), path};
    f.entries.reserve(hs.size());
    for (auto& h : hs) {
        auto& e = f.entries.emplace_back();
        e = {std::move(h.name), std::move(h.dtype), std::move(h.dims), std::vector<std::byte>(h.end - h.begin)};
        read(e.bytes.data(), e.bytes.size());
    }
    return f;
}

inline void write_safetensors(const std::filesystem::path& path, const std::vector<safetensors_entry>& entries,
                              const std::map<std::string, std::string>& metadata = {}) {
    std::vector<detail::safetensors_ref> refs;
    for (const auto& e : entries) refs.push_back({e.name, e.dtype, e.dims, e.bytes});
    detail::write_safetensors(path, refs, metadata);
}

// Writes every parameter of `net` under its name (net.parameter_info()), straight from the arena.
template <class Net>
void save_safetensors(const std::filesystem::path& path, const Net& net,
                      const std::map<std::string, std::string>& metadata = {}) {
    using T = typename Net::value_type;
    const auto params = net.parameters();
    std::vector<detail::safetensors_ref> refs;
    for (const auto& p : net.parameter_info())
        refs.push_back({p.name, safetensors_dtype<T>(), p.dims, std::as_bytes(params.subspan(p.offset, p.size))});
    detail::write_safetensors(path, refs, metadata);
}

// How many values of a tensor are NaN or infinite, and where the first one is: weights that can only give NaN
// outputs (a diverged run saved by another program, a damaged file) are refused when they are loaded.
struct non_finite_count {
    std::size_t count = 0, first = 0;
};
template <class T>
non_finite_count count_non_finite(std::span<const T> values) {
    non_finite_count n;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!(values[i] - values[i] == T(0))) {  // false for NaN and both infinities
            if (n.count++ == 0) n.first = i;
        }
    return n;
}

// Reads the parameters of `net` from `path` and returns the file's metadata. The file must hold exactly the
// network's tensor names, each with the network's dtype and shape, and only finite values; otherwise io_error
// lists every difference (and names each tensor with NaN or infinite values) and the network is unchanged.
template <class Net>
std::map<std::string, std::string> load_safetensors(const std::filesystem::path& path, Net& net) {
    using T = typename Net::value_type;
    safetensors_file f = read_safetensors(path);
    std::map<std::string_view, const safetensors_entry*> in_file;
    for (const auto& e : f.entries) in_file[e.name] = &e;
    const std::string_view dtype = safetensors_dtype<T>();
    std::string problems;
    auto problem = [&](const std::string& s) { problems += (problems.empty() ? "" : "; ") + s; };
    for (const auto& p : net.parameter_info()) {
        const auto it = in_file.find(p.name);
        const std::string what = "tensor " + detail::json_quote(p.name);
        if (it == in_file.end()) {
            problem("missing " + what + " (" + std::string(dtype) + " " + detail::dims_list(p.dims) + ")");
            continue;
        }
        const safetensors_entry& e = *it->second;
        in_file.erase(it);
        if (e.dtype != dtype) problem(what + " has dtype " + e.dtype + ", expected " + std::string(dtype));
        if (e.dims != p.dims)
            problem(what + " has shape " + detail::dims_list(e.dims) + ", expected " + detail::dims_list(p.dims));
        if constexpr (std::is_floating_point_v<T>) {
            if (e.dtype == dtype && e.bytes.size() == p.size * sizeof(T))
                if (const auto bad = count_non_finite(std::span<const T>(e.as<T>())); bad.count > 0)
                    problem(what + " holds " + std::to_string(bad.count) + " non-finite value" + (bad.count > 1 ? "s" : "") +
                            " (NaN or infinity; the first at index " + std::to_string(bad.first) + ")");
        }
    }
    for (const auto& [name, e] : in_file)
        problem("unexpected tensor " + detail::json_quote(name) + " (" + e->dtype + " " + detail::dims_list(e->dims) +
                ") that the network does not have");
    if (!problems.empty()) throw io_error(path.string() + ": does not match the network: " + problems);

    const auto params = net.parameters();
    for (const auto& p : net.parameter_info())
        std::memcpy(params.data() + p.offset, f.at(p.name).bytes.data(), p.size * sizeof(T));
    return std::move(f.metadata);
}

}  // namespace helix
