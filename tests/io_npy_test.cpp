// .npy files: numpy-written fixtures (tests/data/make_io_fixtures.py), byte-for-byte agreement with numpy's
// writer, round trips, shape and dtype checks, every kind of bad input, and atomic writes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "helix/io/npy.hpp"
#include "helix/io/npz.hpp"

using namespace helix;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using helix_test::read_bytes;
using helix_test::write_bytes;
struct temp_dir : helix_test::temp_dir {
    temp_dir() : helix_test::temp_dir("helix_io_npy") {}
};

const fs::path data_dir = fs::path(HELIX_TEST_DATA_DIR) / "npy";

// A version-1.0 .npy file with the given header text, built by hand.
std::string npy_file(const std::string& header, const std::string& data = "") {
    std::string s("\x93NUMPY\x01\x00", 8);
    s += char(header.size() & 0xff);
    s += char(header.size() >> 8);
    return s + header + data;
}

// Runs f, which must throw helix::io_error whose message names `file` and contains `what`.
template <class F>
void require_io_error(F&& f, const fs::path& file, const std::string& what) {
    try {
        f();
    } catch (const io_error& e) {
        CHECK_THAT(e.what(), Contains(file.string()) && Contains(what));
        return;
    }
    FAIL("no io_error thrown; expected one saying: " << what);
}

}  // namespace

TEST_CASE("npy: numpy-written files load with their dtype, shape and values") {
    const npy_array a = load_npy(data_dir / "f32_2x3x4.npy");
    CHECK(a.dtype == "<f4");
    CHECK(a.dims == std::vector<std::size_t>{2, 3, 4});
    CHECK(a.size() == 24);
    const auto v = a.as<float>();
    for (std::size_t i = 0; i < 24; ++i) REQUIRE(v[i] == float(i) / 2 - 3);

    tensor<float, shape<3, 4>> t;
    load_npy_into(data_dir / "f32_2x3x4.npy", t);
    CHECK(t.batch() == 2);
    CHECK(t(1, 2, 3) == 8.5f);  // element 23

    const auto f64 = load_npy(data_dir / "f64_2x3.npy");
    CHECK(f64.dims == std::vector<std::size_t>{2, 3});
    CHECK(f64.as<double>() == std::vector<double>{0.1, -2.5, 1e-300, 3.0, 1e300, -7.25});
    CHECK(load_npy(data_dir / "i64_5.npy").as<std::int64_t>() ==
          std::vector<std::int64_t>{-(std::int64_t(1) << 40), -1, 0, 1, std::int64_t(1) << 62});
    CHECK(load_npy(data_dir / "i32_3.npy").as<std::int32_t>() == std::vector<std::int32_t>{-7, 0, 2147483647});
    CHECK(load_npy(data_dir / "u8_4.npy").as<std::uint8_t>() == std::vector<std::uint8_t>{0, 1, 127, 255});

    // Format versions 2.0 and 3.0 (4-byte header length) hold the same array.
    for (const char* name : {"f32_v2.npy", "f32_v3.npy"}) {
        INFO(name);
        const auto s = load_npy(data_dir / name);
        CHECK(s.dims == std::vector<std::size_t>{2, 2});
        CHECK(s.as<float>() == std::vector<float>{1.5f, -2.0f, 0.25f, 8.0f});
    }
}

TEST_CASE("npy: save_npy writes exactly the bytes numpy writes") {
    temp_dir dir;
    tensor<float, shape<3, 4>> t(2);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(i) / 2 - 3;
    save_npy(dir / "t.npy", t);
    CHECK(read_bytes(dir / "t.npy") == read_bytes(data_dir / "f32_2x3x4.npy"));

    const std::vector<double> f64{0.1, -2.5, 1e-300, 3.0, 1e300, -7.25};
    save_npy(dir / "d.npy", f64, {2, 3});
    CHECK(read_bytes(dir / "d.npy") == read_bytes(data_dir / "f64_2x3.npy"));
    save_npy(dir / "i.npy", std::vector<std::int64_t>{-(std::int64_t(1) << 40), -1, 0, 1, std::int64_t(1) << 62}, {5});
    CHECK(read_bytes(dir / "i.npy") == read_bytes(data_dir / "i64_5.npy"));
    save_npy(dir / "u.npy", std::vector<std::uint8_t>{0, 1, 127, 255}, {4});
    CHECK(read_bytes(dir / "u.npy") == read_bytes(data_dir / "u8_4.npy"));
    CHECK(dir.files() == 4);  // no temporaries left behind
}

TEST_CASE("npy: round trips of views, scalars and empty arrays") {
    temp_dir dir;
    tensor<std::int32_t, shape<2, 2, 3>> t(3);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = std::int32_t(i * 7) - 40;
    tensor_view<const std::int32_t, shape<2, 2, 3>> cv = t.view();
    save_npy(dir / "v.npy", cv);
    tensor<std::int32_t, shape<2, 2, 3>> back;
    load_npy_into(dir / "v.npy", back);
    REQUIRE(back.batch() == 3);
    for (std::size_t i = 0; i < t.size(); ++i) REQUIRE(back[i] == t[i]);

    const std::vector<double> scalar{2.5};
    save_npy(dir / "s.npy", scalar, {});
    const auto s = load_npy(dir / "s.npy");
    CHECK(s.dims.empty());
    CHECK(s.as<double>() == scalar);

    tensor<float, shape<5>> empty(0);
    save_npy(dir / "e.npy", empty);
    const auto e = load_npy(dir / "e.npy");
    CHECK(e.dims == std::vector<std::size_t>{0, 5});
    CHECK(e.as<float>().empty());
    tensor<float, shape<5>> into(4);
    load_npy_into(dir / "e.npy", into);
    CHECK(into.batch() == 0);

    CHECK_THROWS_AS(save_npy(dir / "bad.npy", scalar, {2, 2}), shape_error);  // 4 values named, 1 given
    CHECK_FALSE(fs::exists(dir / "bad.npy"));
}

// The committed tests/data/npy/helix_f64_3x2.npy is what make_io_fixtures.py verifies with numpy; writing it
// again must give the same bytes, so that check keeps covering the current writer.
TEST_CASE("npy: save_npy still writes the file numpy verified") {
    tensor<double, shape<2>> t(3);
    const double values[] = {0.5, -1.0, 2.25, 1e-300, -3.0, 1e300};
    for (std::size_t i = 0; i < 6; ++i) t[i] = values[i];
    const fs::path fixture = data_dir / "helix_f64_3x2.npy",
                   written = fs::temp_directory_path() / ("helix_f64_3x2-" + std::to_string(::getpid()) + ".npy");
    save_npy(written, t);
    INFO("if the writer changed on purpose, copy " << written.string() << " to " << fixture.string()
                                                   << " and run /usr/bin/python3 tests/data/make_io_fixtures.py");
    REQUIRE(fs::exists(fixture));
    REQUIRE(read_bytes(written) == read_bytes(fixture));
    fs::remove(written);  // kept only when it differs
}

TEST_CASE("npy: load_npy_into and as<T> name the expected and the found shape or dtype") {
    temp_dir dir;
    tensor<float, shape<20, 4>> t(2);
    t.fill(1.5f);
    save_npy(dir / "x.npy", std::vector<float>(3 * 20 * 5), {3, 20, 5});
    require_io_error([&] { load_npy_into(dir / "x.npy", t); }, dir / "x.npy",
                     "x.npy: expected per-sample shape (20, 4), found (20, 5)");
    save_npy(dir / "r.npy", std::vector<float>(20 * 4), {20, 4});
    require_io_error([&] { load_npy_into(dir / "r.npy", t); }, dir / "r.npy",
                     "expected shape (batch, 20, 4), found (20, 4)");
    save_npy(dir / "d.npy", std::vector<double>(20 * 4), {1, 20, 4});
    require_io_error([&] { load_npy_into(dir / "d.npy", t); }, dir / "d.npy",
                     "expected dtype <f4 (float32), found <f8 (float64)");
    CHECK(t.batch() == 2);  // unchanged by the failed loads
    CHECK(t(1, 19, 3) == 1.5f);

    tensor<float, shape<4>> t1;
    require_io_error([&] { load_npy_into(data_dir / "i64_5.npy", t1); }, data_dir / "i64_5.npy",
                     "expected shape (batch, 4), found (5,)");
    require_io_error([&] { (void)load_npy(data_dir / "i64_5.npy").as<std::int32_t>(); }, data_dir / "i64_5.npy",
                     "expected dtype <i4 (int32), found <i8 (int64)");
}

TEST_CASE("npy: bad input throws an io_error naming the file and the problem") {
    temp_dir dir;
    const std::string good = read_bytes(data_dir / "f32_2x3x4.npy");
    const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    struct bad {
        const char* name;
        std::string bytes;
        const char* what;
    };
    const bad cases[] = {
        {"empty.npy", "", "truncated: 0 bytes"},
        {"text.npy", "hello, world", "not a .npy file"},
        {"zip.npy", "PK\x03\x04", "not a .npy file"},
        {"preamble.npy", std::string("\x93NUMPY\x01", 7), "truncated"},
        {"version.npy", std::string("\x93NUMPY\x04\x00\x10\x00", 10) + dict, "unsupported .npy format version 4.0"},
        {"header_len.npy", std::string("\x93NUMPY\x01\x00\xff\x00{", 11), "truncated: the header is 255 bytes"},
        {"list.npy", npy_file("[1, 2]\n"), "the header is not a dict"},
        {"dtype.npy", npy_file("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", "12345678"),
         "unsupported dtype '<c8' (supported: <f4 float32"},
        {"struct.npy", npy_file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n"),
         "structured dtypes are not supported"},
        {"no_shape.npy", npy_file("{'descr': '<f4', 'fortran_order': False}\n"), "the header has no 'shape'"},
        {"key.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': True}\n"),
         "unexpected key 'x'"},
        {"dup.npy", npy_file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\n"),
         "duplicate key 'descr'"},
        {"neg.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }\n"),
         "shape must be a tuple of non-negative integers"},
        {"order.npy", npy_file("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }\n"), "True or False"},
        {"huge.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"),
         "is too large"},
        {"short.npy", good.substr(0, good.size() - 4),
         "(2, 3, 4) <f4 = 96 bytes of data, the file holds 92 (truncated)"},
        {"long.npy", good + "xx", "the file holds 98 (trailing bytes)"},
        {"after.npy", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x\n", "1234"),
         "unexpected text after the header dict"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        write_bytes(dir / c.name, c.bytes);
        require_io_error([&] { load_npy(dir / c.name); }, dir / c.name, c.what);
    }
    require_io_error([&] { load_npy(dir / "missing.npy"); }, dir / "missing.npy", "cannot read: No such file");
    // numpy's own Fortran-order and big-endian files.
    require_io_error([&] { load_npy(data_dir / "fortran_f64_2x3.npy"); }, data_dir / "fortran_f64_2x3.npy",
                     "Fortran-order arrays are not supported");
    require_io_error([&] { load_npy(data_dir / "bigendian_f4_3.npy"); }, data_dir / "bigendian_f4_3.npy",
                     "big-endian data ('>f4') is not supported");
}

TEST_CASE("npy: writes are atomic; a failed write leaves the old file and no temporary") {
    temp_dir dir;
    const std::vector<float> v{1, 2, 3};
    save_npy(dir / "a.npy", v, {3});
    save_npy(dir / "a.npy", std::vector<float>{4, 5}, {2});  // replaces it whole
    CHECK(load_npy(dir / "a.npy").as<float>() == std::vector<float>{4, 5});
    CHECK(dir.files() == 1);

    // The rename fails when the target is a directory; the temporary goes away.
    fs::create_directory(dir / "taken.npy");
    require_io_error([&] { save_npy(dir / "taken.npy", v, {3}); }, dir / "taken.npy", "is not a regular file (a directory)");
    CHECK(dir.files() == 2);
    // No directory to create the temporary in.
    require_io_error([&] { save_npy(dir / "no" / "b.npy", v, {3}); }, dir / "no" / "b.npy", "cannot create");

    // An exception while writing (here: thrown by the caller) removes the temporary, keeps the old file.
    const std::string before = read_bytes(dir / "a.npy");
    try {
        atomic_file f(dir / "a.npy");
        f.write("partial", 7);
        CHECK(fs::exists(f.temp_path()));
        throw std::runtime_error("interrupted");
    } catch (const std::runtime_error&) {
    }
    CHECK(read_bytes(dir / "a.npy") == before);
    CHECK(dir.files() == 2);
}

TEST_CASE("npz: save_npz writes a stored ZIP of .npy members that the member bytes and numpy read back") {
    temp_dir dir;
    const std::vector<float> a{1, 2, 3, 4, 5, 6};
    const std::vector<float> b{-0.5f, 0.25f};
    save_npz<float>(dir / "x.npz", {{"arr_0", a, {1, 2, 3}}, {"second", b, {2}}});
    const std::string zip = read_bytes(dir / "x.npz");
    auto u16 = [&](std::size_t at) { return std::uint32_t((unsigned char)zip[at]) | std::uint32_t((unsigned char)zip[at + 1]) << 8; };
    auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
    REQUIRE(zip.size() > 22);
    const std::size_t end = zip.size() - 22;
    CHECK(u32(end) == 0x06054b50u);
    CHECK(u16(end + 10) == 2);  // two members
    // The first member, read from its local header, is the .npy file save_npy writes, with its CRC-32.
    REQUIRE(u32(0) == 0x04034b50u);
    const std::uint32_t size = u32(18), name_length = u16(26);
    CHECK(zip.substr(30, name_length) == "arr_0.npy");
    const std::string member = zip.substr(30 + name_length, size);
    save_npy(dir / "a.npy", a, {1, 2, 3});
    CHECK(member == read_bytes(dir / "a.npy"));
    CHECK(u32(14) == detail::crc32(member.data(), member.size()));
    CHECK(detail::crc32("123456789", 9) == 0xCBF43926u);  // the standard check value
    CHECK(dir.files() == 2);
    CHECK_THROWS_AS(save_npz<float>(dir / "bad.npz", {{"arr_0", a, {4}}}), shape_error);
    CHECK(!fs::exists(dir / "bad.npz"));
    // numpy's own reader, where this machine has numpy (CI does: python3-numpy).
    if (std::system("python3 -c 'import numpy' 2>/dev/null") == 0) {
        const std::string check = "python3 -c \"import numpy as np; d = np.load('" + (dir / "x.npz").string() +
                                  "'); assert d['arr_0'].shape == (1, 2, 3) and d['arr_0'][0, 1, 2] == 6 and list(d['second']) == [-0.5, 0.25]\"";
        CHECK(std::system(check.c_str()) == 0);
    }
}
