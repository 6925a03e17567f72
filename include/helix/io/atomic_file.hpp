// atomic_file: writes a file so that readers see either the old content or the complete new one.
//
// Represents: an open `<target>.tmp-<pid>` next to the target. write() appends bytes; commit() flushes them
// to disk (fsync) and renames the temporary over the target. Requires: a POSIX system (Linux, macOS).
// Guarantees: every failure throws helix::io_error naming the target; without a successful commit()
// (an error, an exception in the caller) the temporary is removed and the target is left as it was.
//
// A set of outputs that belong together (a command's results) is committed as one: while a commit_group is alive
// on a thread, commit() only makes each file durable and the group renames them all in its own commit(), with
// SIGINT, SIGTERM and SIGHUP held back, so that a failure or a termination before it leaves none of the new files.
// remove_temporaries_now() (async-signal-safe) removes this process's uncommitted temporaries from a signal
// handler; remove_stale_temporaries(target) removes those of one target left by processes that died (SIGKILL).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "helix/core/error.hpp"

namespace helix {

namespace detail {

// The temporaries of this process that exist now (and output directories it made that are to go if they stay
// empty), as C strings a signal handler can read without allocating: the first byte says which ('f' or 'd').
// A full table only means that a signal would leave that temporary for remove_stale_temporaries().
class temporary_registry {
public:
    static constexpr std::size_t none = std::size_t(-1);
    static temporary_registry& instance() {
        static temporary_registry r;
        return r;
    }
    std::size_t add(const std::string& path, bool directory = false) {
        char* copy = new char[path.size() + 2];
        copy[0] = directory ? 'd' : 'f';
        std::memcpy(copy + 1, path.c_str(), path.size() + 1);
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            char* expected = nullptr;
            if (slots_[i].compare_exchange_strong(expected, copy)) return i;
        }
        delete[] copy;
        return none;
    }
    void remove(std::size_t slot) noexcept {
        if (slot == none) return;
        delete[] slots_[slot].exchange(nullptr);
    }
    void unlink_all() noexcept {  // async-signal-safe: atomic loads, unlink(2) and rmdir(2) only
        for (auto& s : slots_)
            if (const char* p = s.load(); p != nullptr && p[0] == 'f') ::unlink(p + 1);
        for (std::size_t i = slots_.size(); i-- > 0;)  // inner directories were registered after outer ones
            if (const char* p = slots_[i].load(); p != nullptr && p[0] == 'd') ::rmdir(p + 1);  // fails unless empty
    }

private:
    std::array<std::atomic<char*>, 256> slots_{};
};

}  // namespace detail

// Unlinks every temporary of this process not yet committed, then removes the registered output directories that
// are empty. Async-signal-safe: call it from a handler of SIGTERM or SIGINT before re-raising the signal, so that an
// interrupted command leaves no `.tmp-<pid>` files and no empty directory it made.
inline void remove_temporaries_now() noexcept { detail::temporary_registry::instance().unlink_all(); }

class commit_group;

namespace detail {
inline thread_local commit_group* active_commit_group = nullptr;
void stage_in_group(commit_group& group, std::filesystem::path temp, std::filesystem::path target, std::size_t slot);

// Renames now, or hands the rename to the thread's commit_group.
inline void publish(const std::filesystem::path& temp, const std::filesystem::path& target, std::size_t slot) {
    if (active_commit_group != nullptr) {
        stage_in_group(*active_commit_group, temp, target, slot);
        return;
    }
    std::error_code ec;
    std::filesystem::rename(temp, target, ec);
    if (ec) throw io_error(target.string() + ": cannot replace it: " + ec.message());
    temporary_registry::instance().remove(slot);
}
}  // namespace detail

// Outputs committed together (see the top of this file). Groups nest: an inner group's commit hands its files to the
// outer one. Files whose target is staged twice keep the later content.
class commit_group {
public:
    commit_group() : outer_(detail::active_commit_group) { detail::active_commit_group = this; }
    commit_group(const commit_group&) = delete;
    commit_group& operator=(const commit_group&) = delete;
    ~commit_group() {
        detail::active_commit_group = outer_;
        for (const auto& s : staged_) discard(s);
    }

    // Renames every staged file over its target. A rename that fails (it cannot, short of the directory being
    // removed meanwhile) throws; the files not yet renamed are removed.
    void commit() {
        detail::active_commit_group = outer_;
        std::vector<staged> files = std::move(staged_);
        staged_.clear();
        if (outer_ != nullptr) {
            for (auto& s : files) detail::stage_in_group(*outer_, std::move(s.temp), std::move(s.target), s.slot);
            return;
        }
        // What would make a rename fail is checked before the first one: a directory in a target's place.
        for (std::size_t i = 0; i < files.size(); ++i) {
            std::error_code ec;
            if (std::filesystem::is_directory(files[i].target, ec)) {
                for (const auto& s : files) discard(s);
                throw io_error(files[i].target.string() + ": cannot replace a directory with a file");
            }
        }
        sigset_t termination, previous;
        sigemptyset(&termination);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&termination, sig);
        pthread_sigmask(SIG_BLOCK, &termination, &previous);
        std::size_t done = 0;
        std::error_code ec;
        for (; done < files.size(); ++done) {
            std::filesystem::rename(files[done].temp, files[done].target, ec);
            if (ec) break;
            detail::temporary_registry::instance().remove(files[done].slot);
        }
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        if (ec) {
            const staged failed = files[done];
            for (std::size_t i = done; i < files.size(); ++i) discard(files[i]);
            throw io_error(failed.target.string() + ": cannot replace it: " + ec.message());
        }
    }

    std::size_t size() const noexcept { return staged_.size(); }

private:
    struct staged {
        std::filesystem::path temp, target;
        std::size_t slot;
    };
    static void discard(const staged& s) noexcept {
        std::error_code ec;
        std::filesystem::remove(s.temp, ec);
        detail::temporary_registry::instance().remove(s.slot);
    }
    friend void detail::stage_in_group(commit_group&, std::filesystem::path, std::filesystem::path, std::size_t);

    commit_group* outer_;
    std::vector<staged> staged_;
};

inline void detail::stage_in_group(commit_group& group, std::filesystem::path temp, std::filesystem::path target,
                                   std::size_t slot) {
    for (auto& s : group.staged_)
        if (s.temp == temp) {  // the same target again: the temporary already holds the newer content
            temporary_registry::instance().remove(slot);
            return;
        }
    group.staged_.push_back({std::move(temp), std::move(target), slot});
}

namespace detail {
// `<target>.tmp-<pid>`, the target's name cut to 240 bytes so that the temporary's stays within the 255 a file
// system allows (".tmp-" and up to 10 digits).
inline std::string temporary_prefix(const std::filesystem::path& target) {
    std::string name = target.filename().string();
    if (name.size() > 240) name.resize(240);
    return name + ".tmp-";
}
inline std::filesystem::path temporary_for(const std::filesystem::path& target, long pid) {
    return target.parent_path() / (temporary_prefix(target) + std::to_string(pid));
}
// The file a write to `path` replaces: through symbolic links (the link stays a link); never a pipe, a device or a
// directory, which a rename would replace by a plain file.
inline std::filesystem::path output_target(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::path target = path;
    if (std::filesystem::is_symlink(path, ec)) {
        target = std::filesystem::weakly_canonical(path, ec);
        if (ec) target = path;
    }
    const auto status = std::filesystem::status(target, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw io_error(path.string() + ": is not a regular file (" +
                       (std::filesystem::is_directory(status) ? std::string("a directory")
                                                              : std::string("a pipe, a terminal or a device")) +
                       "): outputs are written as files, whole or not at all");
    return target;
}
}  // namespace detail

class atomic_file {
public:
    // written_elsewhere: another library writes temp_path() (libBigWig takes a path); commit() flushes and renames it.
    enum class mode { write, written_elsewhere };

    explicit atomic_file(const std::filesystem::path& target, mode m = mode::write)
        : target_(detail::output_target(target)), temp_(detail::temporary_for(target_, long(::getpid()))) {
        slot_ = detail::temporary_registry::instance().add(temp_.string());
        if (m == mode::written_elsewhere) return;
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd_ < 0) {
            const int err = errno;
            detail::temporary_registry::instance().remove(slot_);
            errno = err;
            fail("create");
        }
    }
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;
    ~atomic_file() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) {
            std::error_code ec;  // best effort: a destructor must not throw
            std::filesystem::remove(temp_, ec);
            detail::temporary_registry::instance().remove(slot_);
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

    // Makes the new content durable, then visible under the target name in one step (or at the commit of the
    // thread's commit_group).
    void commit() {
        if (fd_ < 0) {  // written elsewhere: open it to flush it
            fd_ = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd_ < 0) fail("open");
        }
        if (::fsync(fd_) != 0) fail("flush");
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("close");
        detail::publish(temp_, target_, slot_);
        committed_ = true;
    }

    const std::filesystem::path& temp_path() const noexcept { return temp_; }

private:
    [[noreturn]] void fail(const char* verb) const {
        const int err = errno;  // before anything below can change it
        throw io_error(target_.string() + ": cannot " + verb + " it: " + std::strerror(err));
    }

    std::filesystem::path target_;
    std::filesystem::path temp_;
    int fd_ = -1;
    std::size_t slot_ = detail::temporary_registry::none;
    bool committed_ = false;
};

// The whole of `text` as the new content of `path`, atomically.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    atomic_file f(path);
    f.write(text.data(), text.size());
    f.commit();
}

// An output directory a command made, removed by remove_temporaries_now() if a signal ends the command while it
// is still empty; forgotten when the object goes (the caller removes or keeps the directory itself).
class registered_directory {
public:
    explicit registered_directory(const std::filesystem::path& dir)
        : slot_(detail::temporary_registry::instance().add(dir.string(), true)) {}
    registered_directory(const registered_directory&) = delete;
    registered_directory& operator=(const registered_directory&) = delete;
    ~registered_directory() { detail::temporary_registry::instance().remove(slot_); }

private:
    std::size_t slot_;
};

// Removes the temporaries `<target>.tmp-<pid>` that processes which no longer run (killed before they could clean
// up) left beside `target`, and returns how many. Only temporaries of this target are touched, never another file
// whose name happens to end in `.tmp-<digits>`; those of live processes, this one included, are left alone.
inline std::size_t remove_stale_temporaries(const std::filesystem::path& target) {
    std::size_t removed = 0;
    const std::string prefix = detail::temporary_prefix(target);
    std::filesystem::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const char* digits = name.c_str() + prefix.size();
        const char* end = name.c_str() + name.size();
        long pid = 0;
        const auto [stop, parse_error] = std::from_chars(digits, end, pid);
        if (parse_error != std::errc{} || stop != end || pid <= 0 || pid == long(::getpid())) continue;
        if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
        std::error_code remove_error;
        if (std::filesystem::remove(it->path(), remove_error)) ++removed;
    }
    return removed;
}

}  // namespace helix
