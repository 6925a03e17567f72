// line_reader: reads a text file line by line, plain or gzip/bgzip-compressed (detected from the content), and
// keeps the line number for error messages. Streams: memory is one line, whatever the file size.
//
//   epiann::line_reader in(path);            // throws input_error if the file cannot be opened
//   while (auto line = in.next()) { ... }    // std::optional<std::string_view>, without '\n' or '\r\n'
//   throw in.error("expected 3 columns");   // "path:LINE: expected 3 columns"
// A UTF-8 byte order mark before the first line is dropped; a NUL byte in a line is an input_error. checksum() is
// FNV-1a 64 over every byte of the (uncompressed) file, so a file is read once even when it is a pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/errors.hpp"

namespace epiann {

class line_reader {
public:
    explicit line_reader(std::string path);
    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;
    ~line_reader();

    // The next line, or nothing at the end of the file. The view is valid until the next call.
    std::optional<std::string_view> next();

    std::size_t line_number() const noexcept { return line_number_; }  // of the line last returned (1-based)
    const std::string& path() const noexcept { return path_; }
    input_error error(const std::string& message) const { return input_error_at(path_, line_number_, message); }
    // FNV-1a 64 of the whole file's bytes; reads what is left of the file first.
    std::uint64_t checksum();

private:
    bool fill();

    std::string path_;
    void* file_ = nullptr;  // gzFile (zlib reads plain files transparently)
    std::string line_;
    std::vector<char> chunk_;
    std::size_t begin_ = 0, end_ = 0;  // the unread part of chunk_
    std::size_t line_number_ = 0;
    std::uint64_t checksum_ = 1469598103934665603ull;
};

// Splits on a single-character delimiter, keeping empty fields ("a,,b" gives three fields).
std::vector<std::string_view> split_fields(std::string_view line, char delimiter);

// Parses a whole field as a non-negative integer or a finite double; nothing on any malformed input.
std::optional<long long> parse_integer(std::string_view field);
std::optional<double> parse_number(std::string_view field);

}  // namespace epiann
