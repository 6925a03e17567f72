// line_reader: reads a text file line by line, plain or gzip/bgzip-compressed (detected from the content), and
// keeps the line number for error messages. Streams: memory is one line, whatever the file size.
//
//   epiann::line_reader in(path);            // throws input_error if the file cannot be opened
//   while (auto line = in.next()) { ... }    // std::optional<std::string_view>, without '\n' or '\r\n'
//   throw in.error("expected 3 columns");   // "path:LINE: expected 3 columns"
#pragma once

#include <cstddef>
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

private:
    std::string path_;
    void* file_ = nullptr;  // gzFile (zlib reads plain files transparently)
    std::string line_;
    std::vector<char> chunk_;
    std::size_t line_number_ = 0;
};

// Splits on a single-character delimiter, keeping empty fields ("a,,b" gives three fields).
std::vector<std::string_view> split_fields(std::string_view line, char delimiter);

// Parses a whole field as a non-negative integer or a finite double; nothing on any malformed input.
std::optional<long long> parse_integer(std::string_view field);
std::optional<double> parse_number(std::string_view field);

}  // namespace epiann
