#include "common/line_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace epiann {

line_reader::line_reader(std::string path) : path_(std::move(path)), chunk_(1 << 17) {
    gzFile f = gzopen(path_.c_str(), "rb");
    if (f == nullptr) throw input_error_at(path_, 0, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(f, 1 << 17);
    file_ = f;
}

line_reader::~line_reader() {
    if (file_ != nullptr) gzclose(static_cast<gzFile>(file_));
}

// Refills the chunk; false at the end of the file. Every byte read goes into the checksum.
bool line_reader::fill() {
    gzFile f = static_cast<gzFile>(file_);
    const int n = gzread(f, chunk_.data(), static_cast<unsigned>(chunk_.size()));
    if (n < 0) {
        int err = Z_OK;
        const char* message = gzerror(f, &err);
        throw input_error_at(path_, line_number_ + 1, std::string("cannot read: ") + message);
    }
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < end_; ++i) checksum_ = (checksum_ ^ static_cast<unsigned char>(chunk_[i])) * 1099511628211ull;
    return n > 0;
}

std::optional<std::string_view> line_reader::next() {
    line_.clear();
    bool any = false;
    while (true) {
        if (begin_ == end_ && !fill()) break;
        any = true;
        const char* start = chunk_.data() + begin_;
        const void* newline = std::memchr(start, '\n', end_ - begin_);
        const std::size_t n = newline ? std::size_t(static_cast<const char*>(newline) - start) : end_ - begin_;
        line_.append(start, n);
        begin_ += n;
        if (newline) {
            ++begin_;
            break;
        }
    }
    if (!any) return std::nullopt;
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    // A UTF-8 byte order mark, as spreadsheet programs write, is not part of the first field.
    if (line_number_ == 1 && line_.starts_with("\xEF\xBB\xBF")) line_.erase(0, 3);
    if (const auto nul = line_.find('\0'); nul != std::string::npos)
        throw error("a NUL byte at column " + std::to_string(nul + 1) + ": this is not a text file (or it is damaged)");
    return std::string_view(line_);
}

std::uint64_t line_reader::checksum() {
    while (begin_ != end_ || fill()) begin_ = end_;  // the bytes not yet read count too
    return checksum_;
}

std::vector<std::string_view> split_fields(std::string_view line, char delimiter) {
    std::vector<std::string_view> fields;
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = line.find(delimiter, begin);
        fields.push_back(line.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
        if (end == std::string_view::npos) return fields;
        begin = end + 1;
    }
}

std::optional<long long> parse_integer(std::string_view field) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc{} || end != field.data() + field.size() || field.empty() || value < 0) return std::nullopt;
    return value;
}

std::optional<double> parse_number(std::string_view field) {
    double value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc{} || end != field.data() + field.size() || field.empty() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

}  // namespace epiann
