// output_file: a text output of any size, written through helix::atomic_file in pieces of about 1 MB, so the
// whole text never has to be in memory (a windows TSV of millions of pairs) and readers still see either the old
// file or the complete new one. Nothing replaces the target unless commit() is reached.
//
//   epiann::output_file out(path);
//   out << "header\n";  for (...) out << line;
//   out.commit();
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <helix/io/atomic_file.hpp>

namespace epiann {

class output_file {
public:
    explicit output_file(const std::filesystem::path& path) : file_(path) { buffer_.reserve(capacity + 4096); }

    output_file& operator<<(std::string_view text) {
        buffer_ += text;
        if (buffer_.size() >= capacity) flush();
        return *this;
    }
    output_file& operator<<(char c) {
        buffer_ += c;
        return *this;
    }

    void commit() {
        flush();
        file_.commit();
    }

private:
    static constexpr std::size_t capacity = 1 << 20;
    void flush() {
        file_.write(buffer_.data(), buffer_.size());
        buffer_.clear();
    }
    helix::atomic_file file_;
    std::string buffer_;
};

}  // namespace epiann
