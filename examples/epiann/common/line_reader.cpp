#include "common/line_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace epiann {

line_reader::line_reader(std::string path) : path_(std::move(path)), chunk_(1 << 16) {
    gzFile f = gzopen(path_.c_str(), "rb");
    if (f == nullptr) throw input_error_at(path_, 0, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(f, 1 << 17);
    file_ = f;
}

line_reader::~line_reader() {
    if (file_ != nullptr) gzclose(static_cast<gzFile>(file_));
}

std::optional<std::string_view> line_reader::next() {
    gzFile f = static_cast<gzFile>(file_);
    line_.clear();
    bool any = false;
    // gzgets stops after '\n' or when the chunk is full; long lines take several calls.
    while (gzgets(f, chunk_.data(), static_cast<int>(chunk_.size())) != nullptr) {
        any = true;
        const std::size_t n = std::strlen(chunk_.data());
        line_.append(chunk_.data(), n);
        if (n > 0 && chunk_[n - 1] == '\n') break;
    }
    if (!any) {
        int err = Z_OK;
        const char* message = gzerror(f, &err);
        if (err != Z_OK && err != Z_STREAM_END)
            throw input_error_at(path_, line_number_ + 1, std::string("cannot read: ") + message);
        return std::nullopt;
    }
    ++line_number_;
    if (!line_.empty() && line_.back() == '\n') line_.pop_back();
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return std::string_view(line_);
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
