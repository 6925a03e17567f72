// load_parameter_npy: one parameter from a .npy (a pre-trained embedding matrix), float32 or float64, exactly the
// parameter's shape, finite values; every bad file (wrong shape or dtype, NaN, infinity, missing, not a .npy,
// truncated, an unknown parameter name) throws io_error naming the file, the expected and the found, and leaves the
// network unchanged. The .npy files are written at test time into a scratch directory.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "helix/io/npy.hpp"
#include "helix/io/pretrained.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/embedding/embedding.hpp"
#include "helix/layers/embedding/kmer_tokens.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "support/files.hpp"

using namespace helix;
using Catch::Matchers::Contains;

namespace {

using small_model = seq<embedding<6, 3>, dense<2>>;  // parameters "0.weight" [6, 3], "1.weight" [3, 2], "1.bias" [2]

template <class T>
std::vector<T> ramp(std::size_t n, double scale = 0.25) {
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = T(scale * double(i) - 1.0);
    return v;
}

template <class Net>
std::vector<typename Net::value_type> snapshot(const Net& net) {
    return {net.parameters().begin(), net.parameters().end()};
}

// Loading `file` must throw io_error whose message holds every one of `parts`, and leave the network unchanged.
template <class Net>
void refused(Net& net, const std::string& name, const std::filesystem::path& file, std::vector<std::string> parts) {
    const auto before = snapshot(net);
    std::string message;
    try {
        load_parameter_npy(net, name, file);
    } catch (const io_error& e) {
        message = e.what();
    }
    INFO("message: " << message);
    REQUIRE(!message.empty());
    for (const auto& part : parts) CHECK_THAT(message, Contains(part));
    CHECK(snapshot(net) == before);
}

}  // namespace

TEST_CASE("load_parameter_npy loads a float32 or float64 matrix into exactly one parameter") {
    helix_test::temp_dir dir("helix_pretrained");
    network<shape<4>, small_model, float> net;
    net.init(3);
    const auto before = snapshot(net);

    SECTION("float32") {
        const auto w = ramp<float>(18);
        save_npy(dir / "w.npy", w, {6, 3});
        load_parameter_npy(net, "0.weight", dir / "w.npy");
        const auto after = snapshot(net);
        CHECK(std::vector<float>(after.begin(), after.begin() + 18) == w);
        CHECK(std::vector<float>(after.begin() + 18, after.end()) ==
              std::vector<float>(before.begin() + 18, before.end()));
    }
    SECTION("float64 into a float network, and a bias") {
        const auto b = std::vector<double>{0.1, -2.5};
        save_npy(dir / "b.npy", b, {2});
        load_parameter_npy(net, "1.bias", dir / "b.npy");
        const auto after = snapshot(net);
        CHECK(after[after.size() - 2] == 0.1f);
        CHECK(after[after.size() - 1] == -2.5f);
        CHECK(std::vector<float>(after.begin(), after.end() - 2) ==
              std::vector<float>(before.begin(), before.end() - 2));
    }
    SECTION("float64 into a double network, exactly") {
        network<shape<4>, small_model, double> dnet;
        dnet.init(3);
        const auto w = ramp<double>(6, 1.0 / 3.0);
        save_npy(dir / "w.npy", w, {3, 2});
        load_parameter_npy(dnet, "1.weight", dir / "w.npy");
        CHECK(std::vector<double>(dnet.parameters().begin() + 18, dnet.parameters().begin() + 24) == w);
    }
}

TEST_CASE("load_parameter_npy: a dna2vec-sized 6-mer matrix [4097, 100] behind kmer_tokens<6>") {
    helix_test::temp_dir dir("helix_pretrained");
    network<shape<50, 4>, seq<kmer_tokens<6>, embedding<4097, 100>>, float> net;
    net.init(1);
    const auto m = ramp<float>(4097 * 100, 1e-4);
    save_npy(dir / "dna2vec.npy", m, {4097, 100});
    load_parameter_npy(net, "1.weight", dir / "dna2vec.npy");
    CHECK(std::vector<float>(net.parameters().begin(), net.parameters().end()) == m);
    // The N row (id 4096) is the last row of the file.
    tensor<float, shape<50, 4>> x(1);  // all zero: every k-mer has an N
    cpu_context ctx(1);
    const auto out = net.forward(ctx, x.cview());
    CHECK(out.data()[0] == m[4096 * 100]);
    CHECK(out.data()[99] == m[4096 * 100 + 99]);
    // A matrix of the wrong vocabulary (EPIVAN's without its N row, say) is refused.
    save_npy(dir / "short.npy", ramp<float>(4096 * 100), {4096, 100});
    refused(net, "1.weight", dir / "short.npy",
            {"short.npy", "1.weight", "expected shape (4097, 100)", "found (4096, 100)"});
}

TEST_CASE("load_parameter_npy refuses bad files, naming the file, the expected and the found; the network unchanged") {
    helix_test::temp_dir dir("helix_pretrained");
    network<shape<4>, small_model, float> net;
    net.init(7);

    SECTION("wrong shape") {
        save_npy(dir / "flat.npy", ramp<float>(18), {18});
        refused(net, "0.weight", dir / "flat.npy",
                {"flat.npy", "\"0.weight\"", "expected shape (6, 3)", "found (18,)"});
        save_npy(dir / "extra.npy", ramp<float>(18), {1, 6, 3});
        refused(net, "0.weight", dir / "extra.npy", {"expected shape (6, 3)", "found (1, 6, 3)"});
        save_npy(dir / "t.npy", ramp<float>(18), {3, 6});
        refused(net, "0.weight", dir / "t.npy", {"expected shape (6, 3)", "found (3, 6)"});
    }
    SECTION("wrong dtype") {
        save_npy(dir / "i32.npy", std::vector<std::int32_t>(18, 1), {6, 3});
        refused(net, "0.weight", dir / "i32.npy", {"i32.npy", "(6, 3) float32 or float64", "found dtype <i4 (int32)"});
        save_npy(dir / "i64.npy", std::vector<std::int64_t>(18, 1), {6, 3});
        refused(net, "0.weight", dir / "i64.npy", {"found dtype <i8 (int64)"});
        save_npy(dir / "u8.npy", std::vector<std::uint8_t>(18, 1), {6, 3});
        refused(net, "0.weight", dir / "u8.npy", {"found dtype |u1 (uint8)"});
    }
    SECTION("NaN, infinity, and a float64 beyond float's range") {
        auto w = ramp<float>(18);
        w[5] = std::numeric_limits<float>::quiet_NaN();
        save_npy(dir / "nan.npy", w, {6, 3});
        refused(net, "0.weight", dir / "nan.npy", {"nan.npy", "1 of 18 values are not finite", "flat index 5"});
        auto d = ramp<double>(18);
        d[0] = -std::numeric_limits<double>::infinity();
        d[17] = std::numeric_limits<double>::infinity();
        save_npy(dir / "inf.npy", d, {6, 3});
        refused(net, "0.weight", dir / "inf.npy", {"2 of 18 values are not finite", "flat index 0 is -inf"});
        d = ramp<double>(18);
        d[9] = 1e300;
        save_npy(dir / "big.npy", d, {6, 3});
        refused(net, "0.weight", dir / "big.npy", {"beyond the range of the network's type", "flat index 9 is 1e+300"});
        network<shape<4>, small_model, double> dnet;  // which a double network holds
        load_parameter_npy(dnet, "0.weight", dir / "big.npy");
        CHECK(dnet.parameters()[9] == 1e300);
    }
    SECTION("missing file, not a .npy, truncated") {
        refused(net, "0.weight", dir / "absent.npy", {"absent.npy", "cannot read", "\"0.weight\"", "expected (6, 3)"});
        helix_test::write_bytes(dir / "text.npy", "0.1 0.2 0.3\n");
        refused(net, "0.weight", dir / "text.npy", {"text.npy", "not a .npy file"});
        save_npy(dir / "good.npy", ramp<float>(18), {6, 3});
        auto bytes = helix_test::read_bytes(dir / "good.npy");
        bytes.resize(bytes.size() - 4);
        helix_test::write_bytes(dir / "cut.npy", bytes);
        refused(net, "0.weight", dir / "cut.npy", {"cut.npy", "truncated"});
    }
    SECTION("a parameter the network does not have") {
        save_npy(dir / "w.npy", ramp<float>(18), {6, 3});
        refused(net, "weight", dir / "w.npy",
                {"w.npy", "no parameter of that name", "0.weight (6, 3)", "1.weight (3, 2)", "1.bias (2,)"});
    }
}
