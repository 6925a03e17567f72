// epiann_throughput: EPIANN training or inference throughput, printed in the same one-line format as the PyTorch
// peer (../shared/peers/epiann_torch.py) so bench/compare_pytorch.sh can alternate the two.
// Usage: epiann_throughput [--mode train|infer] [--batch 64] [--steps 10] [--threads 2] [--size paper|reduced]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "epiann_workload.hpp"
#include "throughput_options.hpp"

namespace {
using options = helix_bench::throughput_options;

template <std::size_t LE, std::size_t LP, epiann::model_sizes S>
int run(const options& o) {
    auto net = epiann::make_epiann<LE, LP, S>();
    net.init(1, helix::init::truncated_normal{0.1, 0.1});
    helix::cpu_context ctx(o.threads, 7);
    helix::adam<float> optimizer(1e-3f);
    const helix_bench::epiann_batch<LE, LP> batch(o.batch, 3);
    std::vector<float> probability(o.batch);
    std::vector<double> seconds;
    float loss = 0;
    for (std::size_t step = 0; step < o.steps + 2; ++step) {  // two warm-up steps, as the peer does
        const auto t0 = std::chrono::steady_clock::now();
        if (o.mode == "train") loss = helix_bench::train_step(net, optimizer, ctx, batch);
        else helix_bench::infer(net, ctx, batch, probability.data());
        const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
        if (step >= 2) seconds.push_back(dt.count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    std::printf("helix %s mode=%s batch=%zu threads=%d s/step=%.4f examples/s=%.1f isa=%s (loss %.4f)\n", o.size.c_str(),
                o.mode.c_str(), o.batch, o.threads, median, double(o.batch) / median,
                helix::backend::cpu::isa_name(helix::backend::cpu::detected_isa()), double(loss));
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    const auto parsed = helix_bench::parse_throughput_options(argc, argv, "epiann_throughput", false);
    if (!parsed) return 2;
    const options& o = *parsed;
    if (o.size == "paper") return run<3000, 2000, epiann::model_sizes{}>(o);
    constexpr epiann::model_sizes reduced{.filters = 64};
    return run<1000, 800, reduced>(o);
}
