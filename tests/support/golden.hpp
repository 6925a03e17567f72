// A golden fixture of tests/golden/ (tests/golden/make_*_golden.py: PyTorch in float64), as every golden test reads
// it: the file, read once (its tensors through at() and entries), values(name) as double, and check_close, the one
// comparison they all make (sizes equal, then every element within the tolerance, the worst one reported).
#pragma once

#include <catch2/catch.hpp>

#include <span>
#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/testing/compare.hpp"

namespace helix_test {

struct golden_fixture : helix::safetensors_file {
    explicit golden_fixture(const std::string& path) : helix::safetensors_file(helix::read_safetensors(path)) {}

    std::vector<double> values(const std::string& name) const { return at(name).as<double>(); }

    void check_close(std::span<const double> actual, const std::string& name, helix::testing::tolerance tol) const {
        const auto expected = values(name);
        REQUIRE(actual.size() == expected.size());
        const auto c = helix::testing::compare(actual, std::span<const double>(expected), tol, name);
        INFO(c.message());
        CHECK(c.ok);
    }
};

}  // namespace helix_test
