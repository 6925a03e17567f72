// safetensors: a checkpoint from an independent Python writer (tests/data/make_io_fixtures.py) loads into the
// network it describes and computes what numpy computed; helix's writer still writes the file Python verified;
// round trips; name, dtype and shape checks; hostile headers; atomic writes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "helix/io/safetensors.hpp"
#include "helix/layers/activations.hpp"
#include "helix/layers/dense.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"

using namespace helix;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

using helix_test::read_bytes;
using helix_test::write_bytes;
struct temp_dir : helix_test::temp_dir {
    temp_dir() : helix_test::temp_dir("helix_io_st") {}
};

const fs::path data_dir = fs::path(HELIX_TEST_DATA_DIR) / "safetensors";
using small_model = seq<dense<3>, relu, dense<2>>;

// A safetensors file by hand: the 8-byte length of `header`, the header, then `data`.
std::string st_file(const std::string& header, const std::string& data = "", std::uint64_t length = UINT64_MAX) {
    if (length == UINT64_MAX) length = header.size();
    std::string s;
    for (int i = 0; i < 8; ++i) s += char((length >> (8 * i)) & 0xff);
    return s + header + data;
}

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

// The values make_io_fixtures.py gives the small model (its MODEL), in arena order.
std::vector<float> small_model_values() {
    std::vector<float> v;
    for (int i = 0; i < 12; ++i) v.push_back((float(i) - 5.5f) / 8);  // 0.weight [4, 3]
    v.insert(v.end(), {0.5f, -0.25f, 1.0f});                          // 0.bias
    for (int i = 0; i < 6; ++i) v.push_back((float(i) - 2) / 4);       // 2.weight [3, 2]
    v.insert(v.end(), {0.125f, -0.5f});                                // 2.bias
    return v;
}

const std::map<std::string, std::string> helix_metadata{{"writer", "helix"},
                                                        {"note", "caf\u00e9 \"q\" \\ \t \U0001F9EC"}};

}  // namespace

TEST_CASE("safetensors: a checkpoint written by Python loads and computes what numpy computed") {
    auto net = make_network<shape<4>>(small_model{});
    const auto metadata = load_safetensors(data_dir / "small.safetensors", net);
    // json.dumps wrote these with \u00e9, \", \\, \t, \n and the surrogate pair \ud83e\uddec.
    CHECK(metadata == std::map<std::string, std::string>{{"format", "pt"},
                                                         {"note", "caf\u00e9 \"quoted\" back\\slash\ttab\nnewline"},
                                                         {"dna", "\U0001F9EC"},
                                                         {"empty", ""}});
    const auto expected = small_model_values();
    REQUIRE(net.parameters().size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) REQUIRE(net.parameters()[i] == expected[i]);

    const auto io = read_safetensors(data_dir / "small_forward.safetensors");
    const auto x = io.at("x").as<float>(), y = io.at("y").as<float>();
    REQUIRE(io.at("y").dims == std::vector<std::size_t>{2, 2});
    tensor<float, shape<4>> in(2);
    for (std::size_t i = 0; i < 8; ++i) in[i] = x[i];
    cpu_context ctx;
    const auto out = net.forward(ctx, in);
    for (std::size_t i = 0; i < 4; ++i) CHECK(out[i] == Approx(y[i]).epsilon(1e-6));
}

TEST_CASE("safetensors: read_safetensors gives every tensor with dtype, dims and bytes, in data order") {
    const auto f = read_safetensors(data_dir / "small_forward.safetensors");
    REQUIRE(f.entries.size() == 4);
    CHECK(f.entries[0].name == "x");
    CHECK(f.entries[2].name == "count");
    CHECK(f.at("count").dtype == "I64");
    CHECK(f.at("count").dims.empty());  // a scalar
    CHECK(f.at("count").as<std::int64_t>() == std::vector<std::int64_t>{7});
    CHECK(f.at("empty").dims == std::vector<std::size_t>{0});
    CHECK(f.at("empty").bytes.empty());
    CHECK(f.metadata.at("source") == "tests/data/make_io_fixtures.py");
    CHECK(f.find("nothing") == nullptr);
    require_io_error([&] { (void)f.at("nothing"); }, data_dir / "small_forward.safetensors", "no tensor \"nothing\"");
    CHECK_THROWS_WITH(f.at("x").as<double>(), Contains("tensor \"x\": expected dtype F64, found F32"));
}

// The committed helix_small.safetensors is what make_io_fixtures.py verifies (and the reference safetensors
// package reads, when installed); writing it again must give the same bytes.
TEST_CASE("safetensors: save_safetensors still writes the file Python verified") {
    auto net = make_network<shape<4>>(small_model{});
    load_safetensors(data_dir / "small.safetensors", net);
    const fs::path fixture = data_dir / "helix_small.safetensors",
                   written = fs::temp_directory_path() / ("helix_small-" + std::to_string(::getpid()) + ".safetensors");
    save_safetensors(written, net, helix_metadata);
    INFO("if the writer changed on purpose, copy " << written.string() << " to " << fixture.string()
                                                   << " and run /usr/bin/python3 tests/data/make_io_fixtures.py");
    REQUIRE(fs::exists(fixture));
    REQUIRE(read_bytes(written) == read_bytes(fixture));
    fs::remove(written);  // kept only when it differs
    const std::string bytes = read_bytes(fixture);
    CHECK((std::uint8_t(bytes[0]) | std::uint8_t(bytes[1]) << 8) % 8 == 0);  // header padded to a multiple of 8
}

TEST_CASE("safetensors: save and load round-trip parameters and metadata, float and double") {
    temp_dir dir;
    auto a = make_network<shape<4>>(small_model{});
    a.init(7);
    const std::map<std::string, std::string> meta{{"epoch", "3"}, {"all controls", "\x01\x1f\b\f\r\n\t\"\\/"}};
    save_safetensors(dir / "f.safetensors", a, meta);
    auto b = make_network<shape<4>>(small_model{});
    CHECK(load_safetensors(dir / "f.safetensors", b) == meta);
    for (std::size_t i = 0; i < a.parameters().size(); ++i) REQUIRE(b.parameters()[i] == a.parameters()[i]);

    auto d = make_network<shape<4>, double>(small_model{});
    d.init(8);
    save_safetensors(dir / "d.safetensors", d);
    const auto f = read_safetensors(dir / "d.safetensors");
    CHECK(f.metadata.empty());
    CHECK(f.at("2.weight").dtype == "F64");
    CHECK(f.at("2.weight").dims == std::vector<std::size_t>{3, 2});
    auto d2 = make_network<shape<4>, double>(small_model{});
    load_safetensors(dir / "d.safetensors", d2);
    for (std::size_t i = 0; i < d.parameters().size(); ++i) REQUIRE(d2.parameters()[i] == d.parameters()[i]);
    CHECK(dir.files() == 2);  // no temporaries left behind
}

TEST_CASE("safetensors: write_safetensors stores extra tensors next to the parameters") {
    temp_dir dir;
    const std::vector<float> m{0.5f, -1.0f, 2.0f, 0.0f};
    const std::vector<std::int64_t> step{1234};
    const std::vector<safetensors_entry> entries{
        safetensors_entry::from<float>("adam.m", m, {2, 2}),
        safetensors_entry::from<std::int64_t>("adam.step", step, {}),
        safetensors_entry::from<double>("nothing", {}, {0, 3}),
    };
    write_safetensors(dir / "opt.safetensors", entries, {{"kind", "optimizer"}});
    const auto f = read_safetensors(dir / "opt.safetensors");
    REQUIRE(f.entries.size() == 3);
    CHECK(f.at("adam.m").as<float>() == m);
    CHECK(f.at("adam.m").dims == std::vector<std::size_t>{2, 2});
    CHECK(f.at("adam.step").as<std::int64_t>() == step);
    CHECK(f.at("nothing").dims == std::vector<std::size_t>{0, 3});
    CHECK(f.metadata.at("kind") == "optimizer");

    auto twice = entries;
    twice.push_back(entries[0]);
    CHECK_THROWS_WITH(write_safetensors(dir / "bad.safetensors", twice),
                      Contains("\"adam.m\" is reserved or given twice"));
    auto sizes = entries;
    sizes[0].dims = {3, 2};
    CHECK_THROWS_AS(write_safetensors(dir / "bad.safetensors", sizes), argument_error);
    CHECK_THROWS_WITH(write_safetensors(dir / "bad.safetensors", entries, {{"k", "\xff"}}),
                      Contains("not valid UTF-8"));
    CHECK(dir.files() == 1);
}

TEST_CASE("safetensors: load_safetensors names every difference and leaves the network unchanged") {
    temp_dir dir;
    auto net = make_network<shape<4>>(small_model{});
    net.init(3);
    const std::vector<float> before(net.parameters().begin(), net.parameters().end());

    auto wide = make_network<shape<4>>(seq<dense<5>, relu, dense<2>>{});
    save_safetensors(dir / "wide.safetensors", wide);
    require_io_error([&] { load_safetensors(dir / "wide.safetensors", net); }, dir / "wide.safetensors",
                     "tensor \"0.weight\" has shape [4, 5], expected [4, 3]; "
                     "tensor \"0.bias\" has shape [5], expected [3]");

    auto d = make_network<shape<4>, double>(small_model{});
    save_safetensors(dir / "double.safetensors", d);
    require_io_error([&] { load_safetensors(dir / "double.safetensors", net); }, dir / "double.safetensors",
                     "tensor \"0.weight\" has dtype F64, expected F32");

    auto entries = read_safetensors(data_dir / "small.safetensors").entries;
    entries.pop_back();  // 2.bias, the last in data order
    entries.push_back(safetensors_entry::from<float>("extra", std::vector<float>{1}, {1}));
    write_safetensors(dir / "names.safetensors", entries);
    require_io_error([&] { load_safetensors(dir / "names.safetensors", net); }, dir / "names.safetensors",
                     "missing tensor \"2.bias\" (F32 [2])");
    require_io_error([&] { load_safetensors(dir / "names.safetensors", net); }, dir / "names.safetensors",
                     "unexpected tensor \"extra\" (F32 [1]) that the network does not have");

    for (std::size_t i = 0; i < before.size(); ++i) REQUIRE(net.parameters()[i] == before[i]);
}

TEST_CASE("safetensors: a tensor with NaN or infinite values is refused by name, and the network is unchanged") {
    temp_dir dir;
    auto net = make_network<shape<4>>(small_model{});
    net.init(3);
    const std::vector<float> before(net.parameters().begin(), net.parameters().end());
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity()}) {
        auto entries = read_safetensors(data_dir / "small.safetensors").entries;
        for (auto& e : entries)
            if (e.name == "2.weight") {
                auto v = e.as<float>();
                v[3] = bad;
                v[5] = bad;
                e = safetensors_entry::from<float>(e.name, v, e.dims);
            }
        write_safetensors(dir / "bad.safetensors", entries);
        INFO(bad);
        require_io_error([&] { load_safetensors(dir / "bad.safetensors", net); }, dir / "bad.safetensors",
                         "tensor \"2.weight\" holds 2 non-finite values (NaN or infinity; the first at index 3)");
    }
    for (std::size_t i = 0; i < before.size(); ++i) REQUIRE(net.parameters()[i] == before[i]);
    CHECK(count_non_finite(std::span<const float>(before)).count == 0);
}

TEST_CASE("safetensors: broken or hostile files throw an io_error naming the file and the problem") {
    temp_dir dir;
    const std::string t4 = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    const std::string four(4, '\0');
    struct bad {
        const char* name;
        std::string bytes;
        const char* what;
    };
    const bad cases[] = {
        {"short", "abc", "3 bytes, less than the 8-byte header length"},
        {"long_header", st_file("{}", "", 1000), "header length 1000 is larger than the rest of the file (2 bytes)"},
        {"huge_header", st_file("{}", "", UINT64_MAX - 1), "is larger than the rest of the file"},
        {"not_object", st_file("[1]"), "expected '{' to open an object"},
        {"unclosed", st_file("{" + t4, four), "expected ',' or '}' after a value"},
        {"trailing_comma", st_file("{" + t4 + ",}", four), "expected a string key"},
        {"after", st_file("{" + t4 + "} x", four), "unexpected text after the header object"},
        {"dup_name", st_file("{" + t4 + "," + t4 + "}", four + four), "duplicate tensor name \"a\""},
        {"dup_key", st_file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}"), "duplicate key \"dtype\""},
        {"extra_key", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":[]}}", four),
         "tensor \"a\": unexpected key \"x\""},
        {"no_shape", st_file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", four),
         "tensor \"a\": missing shape"},
        {"dtype", st_file("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", four),
         "tensor \"a\": unknown dtype \"F33\""},
        {"negative", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four),
         "shape must hold non-negative integers"},
        {"float", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", four),
         "shape must hold integers"},
        {"zeros", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", four), "leading zeros"},
        {"overflow",
         st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}", four),
         "integer too large"},
        {"offsets3", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", four),
         "data_offsets must be [begin, end]"},
        {"range", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", four),
         "tensor \"a\": data_offsets [0, 400] are out of range (the data section holds 4 bytes)"},
        {"reversed", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", four),
         "data_offsets [4, 0] end before they begin"},
        {"mismatch", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", four + four),
         "data_offsets [0, 8] hold 8 bytes, but F32 of shape [3] needs 12"},
        {"shape_overflow",
         st_file("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", four),
         "F64 of shape [4294967296, 4294967296] needs more than 2^64"},
        {"overlap",
         st_file("{" + t4 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four + four),
         "tensors \"a\" and \"b\" overlap (data_offsets [0, 4] and data_offsets [0, 8])"},
        {"gap", st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", four + four),
         "bytes [0, 4) of the data section belong to no tensor"},
        {"trailing", st_file("{" + t4 + "}", four + "xy"), "bytes [4, 6) of the data section belong to no tensor"},
        {"escape", st_file("{\"a\\x\":{}}"), "invalid escape in a string"},
        {"surrogate", st_file("{\"\\udc00\":{}}"), "unpaired low surrogate"},
        {"high_alone", st_file("{\"\\ud83e!\":{}}"), "high surrogate without a following \\u low surrogate"},
        {"hex", st_file("{\"\\u00g0\":{}}"), "\\u must be followed by 4 hex digits"},
        {"utf8", st_file("{\"\xff\":{}}"), "invalid UTF-8"},
        {"overlong", st_file("{\"\xc0\xaf\":{}}"), "invalid UTF-8"},
        {"control", st_file("{\"a\nb\":{}}"), "control character in a string"},
        {"unterminated", st_file("{\"abc"), "unterminated string"},
        {"metadata", st_file("{\"__metadata__\":{\"k\":1}}"), "__metadata__ values must be strings (\"k\" is not)"},
        {"metadata_dup", st_file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"), "duplicate metadata key \"k\""},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const fs::path p = dir / (std::string(c.name) + ".safetensors");
        write_bytes(p, c.bytes);
        require_io_error([&] { (void)read_safetensors(p); }, p, c.what);
    }
    require_io_error([&] { (void)read_safetensors(dir / "missing.safetensors"); }, dir / "missing.safetensors",
                     "cannot read: No such file");
    // The smallest valid file: no tensors, no data.
    write_bytes(dir / "empty.safetensors", st_file("{}      "));
    CHECK(read_safetensors(dir / "empty.safetensors").entries.empty());
}

TEST_CASE("safetensors: writes are atomic") {
    temp_dir dir;
    auto net = make_network<shape<4>>(small_model{});
    fs::create_directory(dir / "taken.safetensors");
    require_io_error([&] { save_safetensors(dir / "taken.safetensors", net); }, dir / "taken.safetensors",
                     "is not a regular file (a directory)");
    CHECK(dir.files() == 1);  // the directory that was in the way, and no temporary
    require_io_error([&] { save_safetensors(dir / "no" / "n.safetensors", net); }, dir / "no" / "n.safetensors",
                     "cannot create");
}

TEST_CASE("safetensors: a header over the 100 MB limit is refused before it is read") {
    temp_dir dir;
    const fs::path p = dir / "huge_header.safetensors";
    write_bytes(p, st_file("", "", 100'000'001));
    fs::resize_file(p, 8 + 100'000'001 + 64);  // sparse: the length is honest, the bytes are never read
    require_io_error([&] { (void)read_safetensors(p); }, p, "header length 100000001 exceeds the 100 MB limit");
}

TEST_CASE("safetensors: every truncation of a valid file is an io_error, never a partial load") {
    temp_dir dir;
    const std::string whole = read_bytes(data_dir / "small.safetensors");
    const std::size_t header = std::size_t(std::uint8_t(whole[0])) | std::size_t(std::uint8_t(whole[1])) << 8;
    auto net = make_network<shape<4>>(small_model{});
    net.init(1);
    const std::vector<float> before(net.parameters().begin(), net.parameters().end());
    const fs::path p = dir / "cut.safetensors";
    for (std::size_t n = 0; n < whole.size(); ++n) {
        INFO("first " << n << " of " << whole.size() << " bytes");
        write_bytes(p, whole.substr(0, n));
        // Cut in the length, the header, or the data: each has its own message.
        const std::string what = n < 8            ? "less than the 8-byte header length"
                                 : n < 8 + header ? "is larger than the rest of the file"
                                                  : "are out of range (the data section holds " + std::to_string(n - 8 - header);
        require_io_error([&] { (void)load_safetensors(p, net); }, p, what);
    }
    CHECK(std::equal(before.begin(), before.end(), net.parameters().begin()));
    write_bytes(p, whole);
    CHECK_NOTHROW(load_safetensors(p, net));
}
