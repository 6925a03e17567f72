// helix's attention layers against PyTorch: tests/golden/attention.safetensors (made by
// tests/golden/make_attention_golden.py in float64) holds, per case, torch's parameters, inputs, output weights g,
// outputs, attention weights (per head and averaged over heads), input gradients and every parameter gradient of
// sum(out * g). We load the same parameters, run helix in double and compare every array.
//   mha_*      torch.nn.MultiheadAttention(8, 2, batch_first=True): self-attention, cross-attention both ways
//   mha_headdim_*  head_dim 3 on 8 channels (E = 6), against a hand-written torch version
//   mha_bare_*  projections::bare (no biases, no output projection), against a hand-written torch version
//   pool_*     attention_pooling as EPIVAN's AttLayer (Rows = 1) and TransEPI's structured attention (Rows = 3)
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/layers/attention/attention_pooling.hpp"
#include "helix/layers/attention/multi_head_attention.hpp"
#include "helix/testing/compare.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

constexpr std::size_t batch = 3;  // BATCH in make_attention_golden.py
const testing::tolerance golden_tolerance{.rtol = 1e-9, .atol = 1e-12};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/attention.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(const double* actual, std::size_t n, const std::string& name) {
    golden().check_close(std::span<const double>(actual, n), name, golden_tolerance);
}

// The input halves of a case in helix's layout: one tensor, or a pair's first half then its second.
template <class In>
std::vector<std::string> halves() {
    if constexpr (is_pair_v<In>)
        return {"first", "second"};
    else
        return {"x"};
}

// Runs `layer` on case `name`: forward, attention weights, backward; compares every array with torch's.
template <class Bound, class Attention>
void run_case(const Bound& layer, const std::string& name, Attention&& check_attention) {
    using In = typename Bound::input;
    using Out = typename Bound::output;
    std::vector<double> params(Bound::param_size), grads(Bound::param_size, 0.0);
    param_list pl;
    layer.describe(pl);
    std::size_t covered = 0;
    for (const auto& p : pl.items()) {
        const auto& entry = golden().at(name + ".param." + p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), params.begin() + std::ptrdiff_t(p.offset));
        covered += v.size();
    }
    REQUIRE(covered == Bound::param_size);

    std::vector<double> x;
    for (const auto& h : halves<In>()) {
        const auto v = values(name + ".input." + h);
        x.insert(x.end(), v.begin(), v.end());
    }
    REQUIRE(x.size() == batch * io_size<In>);
    std::vector<double> out(batch * io_size<Out>), cache(batch * Bound::cache_size), dx(x.size(), 1e300);
    cpu_context ctx(2);
    layer.template forward<double>(ctx, params.data(), view_at<In, const double>(x.data(), batch),
                                   view_at<Out, double>(out.data(), batch), cache.data());
    check_close(out.data(), out.size(), name + ".output");
    check_attention(static_cast<const double*>(cache.data()));

    const auto g = values(name + ".g");
    REQUIRE(g.size() == out.size());
    layer.template backward<double>(ctx, params.data(), grads.data(), view_at<In, const double>(x.data(), batch),
                                    view_at<Out, const double>(out.data(), batch),
                                    view_at<Out, const double>(g.data(), batch), view_at<In, double>(dx.data(), batch),
                                    cache.data());
    std::size_t at = 0;
    for (const auto& h : halves<In>()) {
        const std::size_t n = values(name + ".input." + h).size();
        check_close(dx.data() + at, n, name + ".grad.input." + h);
        at += n;
    }
    for (const auto& p : pl.items()) check_close(grads.data() + p.offset, p.size, name + ".grad.param." + p.name);
}

template <class Spec, class In>
void mha_case(const std::string& name) {
    using B = typename Spec::template bind<In>;
    const B layer{Spec{}};
    run_case(layer, name, [&](const double* cache) {
        std::vector<double> per_head, mean;
        for (std::size_t b = 0; b < batch; ++b) {
            for (std::size_t h = 0; h < B::heads; ++h) {
                const auto a = B::attention(cache, batch, b, h);
                per_head.insert(per_head.end(), a.data(), a.data() + a.size());
            }
            const auto m = B::mean_attention(cache, batch, b);
            mean.insert(mean.end(), m.data(), m.data() + m.size());
        }
        check_close(per_head.data(), per_head.size(), name + ".attention");
        check_close(mean.data(), mean.size(), name + ".mean_attention");
    });
}

template <class Spec, class In>
void pool_case(const std::string& name) {
    using B = typename Spec::template bind<In>;
    const B layer{Spec{}};
    run_case(layer, name, [&](const double* cache) {
        std::vector<double> all;
        for (std::size_t b = 0; b < batch; ++b) {
            const auto a = B::attention(cache, batch, b);
            all.insert(all.end(), a.data(), a.data() + a.size());
        }
        check_close(all.data(), all.size(), name + ".attention");
    });
}

using pair_4_6 = pair_of<shape<4, 8>, shape<6, 8>>;

}  // namespace

TEST_CASE("multi_head_attention self-attention matches torch.nn.MultiheadAttention") {
    mha_case<multi_head_attention<2>, shape<5, 8>>("mha_self");
}

TEST_CASE("multi_head_attention cross-attention matches torch, either half asking") {
    mha_case<multi_head_attention<2, 0, queries::first>, pair_4_6>("mha_cross_first");
    mha_case<multi_head_attention<2, 0, queries::second>, pair_4_6>("mha_cross_second");
}

TEST_CASE("multi_head_attention with HeadDim != C / Heads matches a hand-written torch version") {
    mha_case<multi_head_attention<2, 3>, shape<5, 8>>("mha_headdim_self");
    mha_case<multi_head_attention<2, 3, queries::first>, pair_4_6>("mha_headdim_cross");
}

TEST_CASE("multi_head_attention projections::bare matches a hand-written torch version") {
    constexpr auto bare = projections::bare;
    mha_case<multi_head_attention<2, 0, queries::first, bare>, shape<5, 8>>("mha_bare_self");
    mha_case<multi_head_attention<2, 0, queries::second, bare>, pair_4_6>("mha_bare_cross_second");
    mha_case<multi_head_attention<4, 2, queries::first, bare>, pair_4_6>("mha_bare_headdim_cross");
}

TEST_CASE("attention_pooling matches EPIVAN's AttLayer and TransEPI's structured self-attention") {
    pool_case<attention_pooling<5>, shape<6, 4>>("pool_epivan");
    pool_case<attention_pooling<5, 3>, shape<6, 4>>("pool_transepi");
}
