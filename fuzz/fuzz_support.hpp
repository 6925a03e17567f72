// Shared by the fuzz targets: the parsers under test read paths, so each input is written to a scratch file first
// (in $TMPDIR, one per process; rewritten for every input). Expected rejections are input_error / io_error; any
// other exception escaping a target is a finding, because the CLI would report it as an internal error (exit 1).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fuzz {

// A path in the scratch directory for this process: <TMPDIR>/helix-fuzz-<pid>/<name>.
inline std::string scratch_path(const std::string& name) {
    static const std::filesystem::path dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::filesystem::path d = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
                                  ("helix-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return (dir / name).string();
}

// Replaces the file at `path` with exactly these bytes.
inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {  // not the parser's input: the harness or the process (e.g. out of descriptors)
        std::perror(path.c_str());
        std::abort();
    }
    std::size_t done = 0;
    while (done < size) {
        const ssize_t w = ::write(fd, data + done, size - done);
        if (w <= 0) std::abort();
        done += static_cast<std::size_t>(w);
    }
    ::close(fd);
}

inline std::string write_input(const std::string& name, const std::uint8_t* data, std::size_t size) {
    std::string path = scratch_path(name);
    write_file(path, data, size);
    return path;
}

// A property a successful parse must have; a violation is a finding.
inline void require(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace fuzz
