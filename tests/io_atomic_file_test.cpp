// atomic_file and commit_group (helix/io/atomic_file.hpp): a set of outputs appears together or not at all; a
// termination signal or an exception leaves no temporary; temporaries of dead processes are found and removed.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "helix/io/atomic_file.hpp"
#include "support/files.hpp"

using helix_test::read_bytes;
using helix_test::write_bytes;
namespace fs = std::filesystem;

namespace {

struct temp_dir : helix_test::temp_dir {
    temp_dir() : helix_test::temp_dir("helix_atomic") {}
};

// A process id that no process has now: a child that has exited and been reaped.
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

}  // namespace

TEST_CASE("atomic_file: without a commit_group each file appears at its own commit") {
    temp_dir dir;
    write_bytes(dir / "a.txt", "old");
    {
        helix::atomic_file f(dir / "a.txt");
        f.write("new", 3);
        CHECK(read_bytes(dir / "a.txt") == "old");
        f.commit();
    }
    CHECK(read_bytes(dir / "a.txt") == "new");
    CHECK(dir.files() == 1);
}

TEST_CASE("commit_group: the files appear together at the group's commit") {
    temp_dir dir;
    write_bytes(dir / "a.txt", "old a");
    {
        helix::commit_group together;
        helix::write_file_atomically(dir / "a.txt", "new a");
        helix::write_file_atomically(dir / "b.txt", "new b");
        CHECK(read_bytes(dir / "a.txt") == "old a");  // staged: durable, not yet visible
        CHECK_FALSE(fs::exists(dir / "b.txt"));
        CHECK(together.size() == 2);
        together.commit();
    }
    CHECK(read_bytes(dir / "a.txt") == "new a");
    CHECK(read_bytes(dir / "b.txt") == "new b");
    CHECK(dir.files() == 2);  // no temporary left
}

TEST_CASE("commit_group: a failure before the commit leaves every target as it was and no temporary") {
    temp_dir dir;
    write_bytes(dir / "a.txt", "old a");
    try {
        helix::commit_group together;
        helix::write_file_atomically(dir / "a.txt", "new a");
        helix::write_file_atomically(dir / "b.txt", "new b");
        throw std::runtime_error("a bad input found after two outputs");
    } catch (const std::runtime_error&) {
    }
    CHECK(read_bytes(dir / "a.txt") == "old a");
    CHECK_FALSE(fs::exists(dir / "b.txt"));
    CHECK(dir.files() == 1);
}

TEST_CASE("commit_group: a directory in a target's place is refused before any file of the set is renamed") {
    temp_dir dir;
    fs::create_directory(dir / "c.txt");
    {
        helix::commit_group together;
        helix::write_file_atomically(dir / "a.txt", "a");
        CHECK_THROWS_WITH(helix::write_file_atomically(dir / "c.txt", "c"), Catch::Contains("c.txt: is not a regular file (a directory)"));
    }
    CHECK_FALSE(fs::exists(dir / "a.txt"));
    CHECK(fs::is_directory(dir / "c.txt"));
    CHECK(dir.files() == 1);
}

TEST_CASE("atomic_file: writes through a symbolic link, and refuses a pipe or a device") {
    temp_dir dir;
    write_bytes(dir / "real.txt", "old");
    fs::create_symlink(dir / "real.txt", dir / "link.txt");
    helix::write_file_atomically(dir / "link.txt", "new");
    CHECK(fs::is_symlink(dir / "link.txt"));
    CHECK(read_bytes(dir / "real.txt") == "new");
    CHECK(dir.files() == 2);
    CHECK_THROWS_WITH(helix::write_file_atomically("/dev/null", "x"), Catch::Contains("/dev/null: is not a regular file"));
    REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    CHECK_THROWS_WITH(helix::write_file_atomically(dir / "fifo", "x"), Catch::Contains("is not a regular file (a pipe"));
}

TEST_CASE("atomic_file: a name of 250 bytes still gets a temporary the file system allows") {
    temp_dir dir;
    const std::string name(250, 'n');
    helix::write_file_atomically(dir / name, "long");
    CHECK(read_bytes(dir / name) == "long");
    write_bytes(dir / (name.substr(0, 240) + ".tmp-" + std::to_string(dead_pid())), "left by a killed process");
    CHECK(helix::remove_stale_temporaries(dir / name) == 1);
}

TEST_CASE("commit_group: an inner group hands its files to the outer one; a target written twice keeps the later content") {
    temp_dir dir;
    helix::commit_group outer;
    {
        helix::commit_group inner;
        helix::write_file_atomically(dir / "a.txt", "first");
        inner.commit();
    }
    CHECK_FALSE(fs::exists(dir / "a.txt"));
    helix::write_file_atomically(dir / "a.txt", "second");
    CHECK(outer.size() == 1);
    outer.commit();
    CHECK(read_bytes(dir / "a.txt") == "second");
    CHECK(dir.files() == 1);
}

TEST_CASE("remove_temporaries_now: a process ended by SIGTERM leaves no temporary") {
    temp_dir dir;
    const pid_t child = ::fork();
    if (child == 0) {
        std::signal(SIGTERM, [](int sig) {
            helix::remove_temporaries_now();
            std::signal(sig, SIG_DFL);
            std::raise(sig);
        });
        helix::atomic_file f(dir / "a.txt");
        f.write("partial", 7);
        helix::commit_group together;
        helix::write_file_atomically(dir / "b.txt", "staged");
        std::raise(SIGTERM);
        ::_exit(0);  // not reached
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK(dir.files() == 0);
}

TEST_CASE("remove_stale_temporaries: removes the temporaries of one target left by dead processes, nothing else") {
    temp_dir dir;
    const std::string dead = std::to_string(dead_pid()), alive = std::to_string(::getppid());
    write_bytes(dir / ("a.txt.tmp-" + dead), "left by a killed process");
    write_bytes(dir / ("a.txt.tmp-" + alive), "a live process is writing it");
    write_bytes(dir / ("a.txt.tmp-" + std::to_string(::getpid())), "this process's own");
    write_bytes(dir / ("b.txt.tmp-" + dead), "another target's: not asked about");
    write_bytes(dir / ("notes.tmp-" + dead), "a user's file that merely looks like one");
    write_bytes(dir / "a.txt", "the output");
    CHECK(helix::remove_stale_temporaries(dir / "a.txt") == 1);
    CHECK_FALSE(fs::exists(dir / ("a.txt.tmp-" + dead)));
    CHECK(dir.files() == 5);
    CHECK(helix::remove_stale_temporaries(dir / "no_such_dir" / "x") == 0);
}
