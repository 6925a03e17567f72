// The merge family against PyTorch: tests/golden/merge.safetensors (made by tests/golden/make_merge_golden.py) holds,
// for each case, the torch expression's input, output, the weights g of sum(out * g), the input gradient and, where
// the case has weights, the parameters and their gradients in helix's names and layout. helix runs the same pass in
// double; every array must agree to 1e-10 relative (these are exact operations and small products).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/layers/activations.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/identity.hpp"
#include "helix/layers/merge/concat.hpp"
#include "helix/layers/merge/dot.hpp"
#include "helix/layers/merge/pairwise.hpp"
#include "helix/layers/merge/select.hpp"
#include "helix/layers/conv1d.hpp"
#include "helix/layers/pad.hpp"
#include "helix/layers/reverse.hpp"
#include "helix/nn/concat_of.hpp"
#include "helix/nn/residual.hpp"
#include "helix/nn/seq.hpp"
#include "helix/testing/compare.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

const testing::tolerance golden_tolerance{.rtol = 1e-10, .atol = 1e-12};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/merge.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(std::span<const double> actual, const std::string& name) {
    golden().check_close(actual, name, golden_tolerance);
}

// A pair's halves lie one after the other (helix's layout of a pair): "<base>.first" then "<base>.second".
template <class IO>
std::vector<double> io_values(const std::string& base) {
    if constexpr (is_pair_v<IO>) {
        auto v = values(base + ".first");
        const auto s = values(base + ".second");
        v.insert(v.end(), s.begin(), s.end());
        return v;
    } else {
        return values(base);
    }
}

template <class IO>
void check_io(const std::vector<double>& actual, const std::string& base, std::size_t batch) {
    if constexpr (is_pair_v<IO>) {
        const std::size_t n = batch * IO::first_type::size;
        check_close({actual.data(), n}, base + ".first");
        check_close({actual.data() + n, actual.size() - n}, base + ".second");
    } else {
        check_close(actual, base);
    }
}

// Loads case `name`, runs Spec bound to In forward and backward in double, compares everything the case holds.
template <class Spec, io_type In>
void golden_case(const std::string& name, const Spec& spec = Spec{}) {
    using Bound = typename Spec::template bind<In>;
    using Out = typename Bound::output;
    const Bound layer(spec);
    const auto x = io_values<In>(name + ".input");
    REQUIRE(x.size() % io_size<In> == 0);
    const std::size_t batch = x.size() / io_size<In>;
    REQUIRE(batch == 2);

    std::vector<double> params(Bound::param_size), grads(Bound::param_size, 0.0);
    param_list pl;
    layer.describe(pl);
    std::size_t loaded = 0;
    for (const auto& p : pl.items()) {
        INFO(name << ": parameter " << p.name);
        const auto& entry = golden().at(name + ".param." + p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), params.begin() + std::ptrdiff_t(p.offset));
        loaded += v.size();
    }
    REQUIRE(loaded == Bound::param_size);

    cpu_context ctx(2);
    std::vector<double> out(batch * io_size<Out>), cache(std::max<std::size_t>(1, batch * Bound::cache_size));
    layer.template forward<double>(ctx, params.data(), view_at<In, const double>(x.data(), batch),
                                   view_at<Out, double>(out.data(), batch), cache.data());
    check_close(out, name + ".output");

    const auto g = values(name + ".g");
    REQUIRE(g.size() == out.size());
    std::vector<double> din(x.size(), 12345.0);  // must be overwritten
    layer.template backward<double>(ctx, params.data(), grads.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch), view_at<In, double>(din.data(), batch),
                                    cache.data());
    check_io<In>(din, name + ".grad_input", batch);
    for (const auto& p : pl.items())
        check_close({grads.data() + p.offset, p.size}, name + ".grad." + p.name);
}

}  // namespace

TEST_CASE("merge golden: identity, concat, reverse, first_half and second_half against torch") {
    golden_case<identity, shape<3, 4>>("identity");
    golden_case<concat<axis::length>, pair_of<shape<3, 4>, shape<5, 4>>>("concat_length");
    golden_case<concat<axis::channels>, pair_of<shape<3, 2>, shape<3, 5>>>("concat_channels");
    golden_case<concat<axis::channels>, pair_of<shape<4>, shape<3>>>("concat_vectors");
    golden_case<first_half, pair_of<shape<3, 2>, shape<5>>>("first_half");
    golden_case<second_half, pair_of<shape<3, 2>, shape<5>>>("second_half");
    golden_case<reverse, shape<5, 3>>("reverse");
    golden_case<reverse, shape<6>>("reverse_vector");
}

TEST_CASE("merge golden: element-wise merges and dot against torch") {
    using P = pair_of<shape<3, 4>, shape<3, 4>>;
    golden_case<add, P>("add");
    golden_case<subtract, P>("subtract");
    golden_case<multiply, P>("multiply");
    golden_case<abs_difference, P>("abs_difference");  // with ties: sign(0) = 0 as torch
    golden_case<dot, pair_of<shape<6>, shape<6>>>("dot_vectors");
    golden_case<dot, pair_of<shape<4, 3>, shape<4, 3>>>("dot_positions");
}

TEST_CASE("merge golden: residual and concat_of against torch") {
    golden_case<residual<dense<4>>, shape<3, 4>>("residual_dense");
    golden_case<residual<seq<dense<4>, helix::tanh>>, shape<4>>("residual_seq");
    golden_case<seq<concat_of<axis::channels, first_half, second_half, subtract, multiply>, dense<3>>,
                pair_of<shape<5>, shape<5>>>("matching_heuristic");
    golden_case<concat_of<axis::channels, dot, abs_difference>, pair_of<shape<6>, shape<6>>>("dot_abs_difference");
    golden_case<concat_of<axis::length, identity, reverse, dense<2>>, shape<3, 2>>("concat_of_length");
}

TEST_CASE("merge golden: pad and a 'same' convolution against torch") {
    golden_case<pad<2, 1>, shape<4, 3>>("pad");
    golden_case<pad<0, 3>, shape<5>>("pad_vector");
    golden_case<seq<same_padding<4>, conv1d<3, 4, bias::on>>, shape<7, 2>>("conv_same");
}
