// atomic_file: writes a file so that readers see either the old content or the complete new one.
//
// Represents: an open `<target>.tmp-<pid>` next to the target. write() appends bytes; commit() flushes them
// to disk (fsync) and renames the temporary over the target. Requires: a POSIX system (Linux, macOS).
// Guarantees: every failure throws helix::io_error naming the target; without a successful commit()
// (an error, an exception in the caller) the temporary is removed and the target is left as it was.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "helix/core/error.hpp"

namespace helix {

class atomic_file {
public:
    explicit atomic_file(std::filesystem::path target)
        : target_(std::move(target)), temp_(target_.string() + ".tmp-" + std::to_string(::getpid())) {
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd_ < 0) fail("create");
    }
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;
    ~atomic_file() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) {
            std::error_code ec;  // best effort: a destructor must not throw
            std::filesystem::remove(temp_, ec);
        }
    }

    void write(const void* data, std::size_t n) {
        const char* p = static_cast<const char*>(data);
        while (n > 0) {
            const ssize_t w = ::write(fd_, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w == 0) errno = EIO;  // no progress and no error code: report it as an I/O error
            if (w <= 0) fail("write");
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }

    // Makes the new content durable, then visible under the target name in one step.
    void commit() {
        if (::fsync(fd_) != 0) fail("flush");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("close");
        std::error_code ec;
        std::filesystem::rename(temp_, target_, ec);
        if (ec) throw io_error(target_.string() + ": cannot rename " + temp_.string() + " to it: " + ec.message());
        committed_ = true;
    }

    const std::filesystem::path& temp_path() const noexcept { return temp_; }

private:
    [[noreturn]] void fail(const char* verb) const {
        const int err = errno;  // before anything below can change it
        throw io_error(target_.string() + ": cannot " + verb + " " + temp_.string() + ": " + std::strerror(err));
    }

    std::filesystem::path target_;
    std::filesystem::path temp_;
    int fd_ = -1;
    bool committed_ = false;
};

// The whole of `text` as the new content of `path`, atomically.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    atomic_file f(path);
    f.write(text.data(), text.size());
    f.commit();
}

}  // namespace helix
