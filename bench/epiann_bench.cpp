// EPIANN end to end at the paper's size (enhancer 3000 bp, promoter 2000 bp, 256 filters), batch 64: one training
// step (forward, loss, backward, Adam) and one inference pass. Before timing, the model is checked against the
// reference composition with unfused conv1d, relu and max_pool1d (bench/epiann_workload.hpp) on the same weights:
// outputs and every parameter gradient.
#include <benchmark/benchmark.h>

#include <span>
#include <string>
#include <vector>

#include <helix/testing/compare.hpp>

#include "epiann_workload.hpp"

namespace {
constexpr std::size_t LE = 3000, LP = 2000, batch = 64;
constexpr int threads = 2;
using fused_network = epiann::epiann_network<LE, LP>;
using reference_network =
    helix::network<epiann::epiann_input<LE, LP>, decltype(helix_bench::reference_epiann_spec<LE, LP>()), float>;

bool check_against_reference(benchmark::State& state) {
    auto net = epiann::make_epiann<LE, LP>();
    net.init(1, helix::init::truncated_normal{0.1, 0.1});
    reference_network ref(helix_bench::reference_epiann_spec<LE, LP>());
    std::copy(net.parameters().begin(), net.parameters().end(), ref.parameters().begin());
    const helix_bench::epiann_batch<LE, LP> b(2, 9);
    helix::cpu_context ctx(threads, 5), ctx_ref(threads, 5);
    ctx.training = ctx_ref.training = true;  // dropout active, same draws
    const auto out = net.forward(ctx, b.input());
    const auto out_ref = ref.forward(ctx_ref, b.input());
    helix_bench::epiann_loss(out, b);
    helix_bench::epiann_loss(out_ref, b);
    net.zero_grad();
    ref.zero_grad();
    net.backward(ctx, b.input());
    ref.backward(ctx_ref, b.input());
    const float logits[] = {out.first[0], out.first[1]}, logits_ref[] = {out_ref.first[0], out_ref.first[1]};
    for (const auto& c : {helix::testing::compare(logits, logits_ref, 2, {1e-4, 1e-5}, "logits vs unfused reference"),
                          helix::testing::compare(net.gradients().data(), ref.gradients().data(), net.gradients().size(),
                                                  {1e-3, 1e-6}, "parameter gradients vs unfused reference")})
        if (!c.ok) {
            state.SkipWithError(c.message().c_str());
            return false;
        }
    return true;
}

void BM_epiann_train_step(benchmark::State& state) {
    if (!check_against_reference(state)) return;
    auto net = epiann::make_epiann<LE, LP>();
    net.init(1, helix::init::truncated_normal{0.1, 0.1});
    helix::cpu_context ctx(threads, 7);
    helix::adam<float> optimizer(1e-3f);
    const helix_bench::epiann_batch<LE, LP> b(batch, 3);
    for (auto _ : state) benchmark::DoNotOptimize(helix_bench::train_step(net, optimizer, ctx, b));
    state.counters["examples/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_epiann_inference(benchmark::State& state) {
    if (!check_against_reference(state)) return;
    auto net = epiann::make_epiann<LE, LP>();
    net.init(1, helix::init::truncated_normal{0.1, 0.1});
    helix::cpu_context ctx(threads, 7);
    const helix_bench::epiann_batch<LE, LP> b(batch, 3);
    std::vector<float> probability(batch);
    for (auto _ : state) {
        helix_bench::infer(net, ctx, b, probability.data());
        benchmark::DoNotOptimize(probability.data());
    }
    state.counters["examples/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

BENCHMARK(BM_epiann_train_step)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_epiann_inference)->UseRealTime()->Unit(benchmark::kMillisecond);
