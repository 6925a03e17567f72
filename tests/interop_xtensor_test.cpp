// xtensor interop: as_xtensor adapts helix memory without a copy (writes through it show up in the tensor),
// xtensor expressions over it compute the right numbers, and .npy files round-trip as xt::xarray.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>

#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

#include "helix/interop/xtensor.hpp"

using namespace helix;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("as_xtensor: shape {batch, Ds...} over the same memory; writes go to the helix tensor") {
    tensor<float, shape<3, 4>> t(2);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(i);
    auto x = as_xtensor(t);
    REQUIRE(x.dimension() == 3);
    CHECK(x.shape()[0] == 2);
    CHECK(x.shape()[1] == 3);
    CHECK(x.shape()[2] == 4);
    CHECK(x.data() == t.data());  // no copy
    CHECK(x(1, 2, 3) == t(1, 2, 3));

    x(1, 0, 2) = -5.0f;
    CHECK(t(1, 0, 2) == -5.0f);
    x *= 2.0f;  // an xtensor computed assignment, in place
    CHECK(t(0, 2, 1) == 18.0f);
    xt::view(x, 0, xt::all(), xt::all()) = 0.0f;
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(t[i] == 0.0f);
    CHECK(t[12] == 24.0f);
}

TEST_CASE("as_xtensor: xtensor expressions over helix views give the right numbers") {
    tensor<double, shape<2, 3>> t(4);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = double(i) + 1;  // 1 .. 24
    const tensor<double, shape<2, 3>>& ct = t;
    const auto x = as_xtensor(ct);
    static_assert(std::is_const_v<std::remove_reference_t<decltype(*x.data())>>, "a const tensor adapts read-only");
    CHECK(xt::sum(x)() == 300.0);  // 24 * 25 / 2
    const xt::xarray<double> per_sample = xt::sum(x, {1, 2});
    REQUIRE(per_sample.size() == 4);
    for (std::size_t b = 0; b < 4; ++b) CHECK(per_sample(b) == 6.0 * (6.0 * double(b) + 3.5));
    const xt::xarray<double> channel_max = xt::amax(x, {0, 1});  // over batch and rows
    // Parenthesised: xtensor's comparison operators would otherwise capture Catch's expression decomposer.
    CHECK((channel_max == xt::xarray<double>{22.0, 23.0, 24.0}));

    tensor_view<const double, shape<2, 3>> v = t.view();
    CHECK(xt::mean(as_xtensor(v))() == 12.5);
    tensor_view<double, shape<2, 3>> mv = t.view();
    as_xtensor(mv) -= 1.0;
    CHECK(t[0] == 0.0);
}

TEST_CASE("xtensor: .npy files as xarray, and any expression saved as .npy") {
    const fs::path dir = fs::temp_directory_path() / ("helix_io_xt_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto f32 = load_npy_xarray<float>(fs::path(HELIX_TEST_DATA_DIR) / "npy" / "f32_2x3x4.npy");
    REQUIRE((f32.shape() == xt::xarray<float>::shape_type{2, 3, 4}));
    CHECK(f32(1, 2, 3) == 8.5f);
    CHECK_THROWS_WITH(load_npy_xarray<double>(fs::path(HELIX_TEST_DATA_DIR) / "npy" / "f32_2x3x4.npy"),
                      Contains("f32_2x3x4.npy: expected dtype <f8 (float64), found <f4 (float32)"));

    const xt::xarray<std::int64_t> a{{1, -2, 3}, {4, 5, -6}};
    save_npy(dir / "a.npy", a);
    CHECK((load_npy_xarray<std::int64_t>(dir / "a.npy") == a));

    tensor<float, shape<3>> t(2);
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = float(i);
    save_npy(dir / "col.npy", xt::transpose(as_xtensor(t)));  // a strided expression, written in C order
    const npy_array col = load_npy(dir / "col.npy");
    CHECK(col.dims == std::vector<std::size_t>{3, 2});
    CHECK(col.as<float>() == std::vector<float>{0, 3, 1, 4, 2, 5});
    fs::remove_all(dir);
}
