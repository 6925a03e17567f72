// attribution_speed: pairs per second of each attribution method of helix/attribution on EPIANN (the paper's model,
// 3000 / 2000 bp windows, or --small for 1000 / 800), float, random weights and random one-hot pairs, in inference
// mode, for the logit. ISM is timed both ways: in_silico_mutagenesis (every variant forwarded whole) and
// conv_pool_mutagenesis (only the pooled bins a substitution reaches recomputed), and their largest difference shown.
// Timing: a method under a second the best of 5 runs after a warm-up, a slower one (and each ISM) one run.
// Usage: attribution_speed [--threads 2] [--pairs 2] [--ism-pairs = --pairs] [--steps 32] [--small]
// Output: "method=NAME pairs_per_s=X seconds=Y" per method, then the ISM speed-up; '#' comments.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include <helix/attribution/conv_pool_mutagenesis.hpp>
#include <helix/attribution/gradients.hpp>
#include <helix/attribution/mutagenesis.hpp>
#include <helix/attribution/references.hpp>
#include <helix/core/mode.hpp>

#include "models/epiann.hpp"

namespace {

double seconds_of(const std::function<void()>& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The best of 5 runs after a warm-up (workspaces allocated) for a method that takes under a second; one run otherwise.
double best_of(const std::function<void()>& f) {
    const double first = seconds_of(f);
    if (first > 1) return first;
    double best = 1e300;
    for (int i = 0; i < 5; ++i) best = std::min(best, seconds_of(f));
    return best;
}

template <std::size_t LE, std::size_t LP, epiann::model_sizes S>
int run(int threads, std::size_t pairs, std::size_t ism_pairs, std::size_t steps) {
    using Net = epiann::epiann_network<LE, LP, S>;
    auto net = std::make_unique<Net>(epiann::epiann_spec<LE, LP, S>());
    net->init(3);
    helix::cpu_context ctx(threads, 1);
    helix::set_mode(ctx, helix::mode::inference);
    helix::tensor<float, helix::shape<LE, 4>> e(pairs), ea(pairs), e0(pairs), eb(pairs);
    helix::tensor<float, helix::shape<LP, 4>> p(pairs), pa(pairs), p0(pairs), pb(pairs);
    helix::counter_rng r(5);
    for (std::size_t b = 0; b < pairs; ++b) {
        for (std::size_t l = 0; l < LE; ++l) e(b, l, r.next_below(4)) = 1.0f;
        for (std::size_t l = 0; l < LP; ++l) p(b, l, r.next_below(4)) = 1.0f;
    }
    namespace attr = helix::attribution;
    attr::dinucleotide_shuffle(e.cview(), e0.view(), 1);
    attr::dinucleotide_shuffle(p.cview(), p0.view(), 2);
    std::vector<float> w(helix::io_size<typename Net::output>, 0.f);
    w[0] = 1;
    const std::span<const float> weights(w);
    const auto x = helix::make_pair_view(e.cview(), p.cview());
    const auto a = helix::make_pair_view(ea.view(), pa.view());
    std::printf("# EPIANN %zu / %zu bp, %zu pairs, %d threads, integrated gradients with %zu steps\n", LE, LP, pairs, threads, steps);
    auto report = [&](const char* name, double s) {
        std::printf("method=%s pairs_per_s=%.3f seconds=%.3f\n", name, double(pairs) / s, s);
        std::fflush(stdout);
    };
    report("attention_forward", best_of([&] { net->forward(ctx, x); }));
    report("saliency", best_of([&] { attr::saliency(*net, ctx, x, a, weights); }));
    report("input_x_gradient", best_of([&] { attr::input_x_gradient(*net, ctx, x, a, weights); }));
    report("integrated_gradients", best_of([&] {
               attr::integrated_gradients(*net, ctx, x, helix::make_pair_view(e0.cview(), p0.cview()), a, weights, {.steps = steps, .batch = 64});
           }));
    // ISM on the first ism_pairs pairs only (it takes seconds per pair).
    const std::size_t m = std::min(ism_pairs, pairs);
    const auto xm = helix::make_pair_view(helix::tensor_view<const float, helix::shape<LE, 4>>(e.data(), m),
                                          helix::tensor_view<const float, helix::shape<LP, 4>>(p.data(), m));
    const auto am = helix::make_pair_view(helix::tensor_view<float, helix::shape<LE, 4>>(ea.data(), m),
                                          helix::tensor_view<float, helix::shape<LP, 4>>(pa.data(), m));
    const auto bm = helix::make_pair_view(helix::tensor_view<float, helix::shape<LE, 4>>(eb.data(), m),
                                          helix::tensor_view<float, helix::shape<LP, 4>>(pb.data(), m));
    auto report_ism = [&](const char* name, double s) {
        std::printf("method=%s pairs_per_s=%.3f seconds=%.3f\n", name, double(m) / s, s);
        std::fflush(stdout);
    };
    const double fast = seconds_of([&] { attr::conv_pool_mutagenesis(*net, ctx, xm, am, weights, {.batch = 64, .halves = {}}); });
    report_ism("ism_conv_pool", fast);
    const double naive = seconds_of([&] { attr::in_silico_mutagenesis(*net, ctx, xm, bm, weights, {.batch = 64, .halves = {}}); });
    report_ism("ism_naive", naive);
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < m * LE * 4; ++i) worst = std::max(worst, double(std::abs(ea[i] - eb[i]))), scale = std::max(scale, double(std::abs(eb[i])));
    for (std::size_t i = 0; i < m * LP * 4; ++i) worst = std::max(worst, double(std::abs(pa[i] - pb[i]))), scale = std::max(scale, double(std::abs(pb[i])));
    std::printf("# ISM speed-up of conv_pool_mutagenesis: %.1fx; largest difference from the naive ISM %.3g (largest effect %.3g)\n",
                naive / fast, worst, scale);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int threads = 2;
    std::size_t pairs = 2, ism_pairs = 2, steps = 32;
    bool ism_given = false;
    bool small = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
        else if (a == "--pairs" && i + 1 < argc) pairs = std::size_t(std::atol(argv[++i]));
        else if (a == "--steps" && i + 1 < argc) steps = std::size_t(std::atol(argv[++i]));
        else if (a == "--ism-pairs" && i + 1 < argc) ism_pairs = std::size_t(std::atol(argv[++i])), ism_given = true;
        else if (a == "--small") small = true;
        else {
            std::fprintf(stderr, "usage: attribution_speed [--threads N] [--pairs N] [--ism-pairs N] [--steps N] [--small]\n");
            return 2;
        }
    }
    if (!ism_given) ism_pairs = pairs;
    if (threads < 1 || pairs < 1 || steps < 1 || ism_pairs < 1) {
        std::fprintf(stderr, "attribution_speed: --threads, --pairs, --ism-pairs and --steps must be at least 1\n");
        return 2;
    }
    if (small) return run<1000, 800, epiann::model_sizes{.filters = 64}>(threads, pairs, ism_pairs, steps);
    return run<3000, 2000, epiann::model_sizes{}>(threads, pairs, ism_pairs, steps);
}
