// The timing both one-line benchmarks use (layer_speed, zoo_speed), and their output line, so that their figures and
// those of the PyTorch peers (layers_torch.py, zoo_torch.py, which share theirs) are taken the same way: warm-up (at
// least 3 iterations and 100 ms), then `repeats` samples of enough iterations to last about sample_ms each; the
// median sample's time per iteration, and the fastest sample's (less sensitive to other work on the machine).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace bench {

inline double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct timing {
    double median_ms, best_ms;  // per iteration: the median sample and the fastest one
};

inline timing time_ms(std::size_t repeats, double sample_ms, const std::function<void()>& step) {
    double warm_start = now_ms(), last = 0;
    for (int i = 0; i < 3 || now_ms() - warm_start < 100; ++i) {
        const double t0 = now_ms();
        step();
        last = now_ms() - t0;
    }
    const std::size_t iters = std::max<std::size_t>(1, std::size_t(std::ceil(sample_ms / std::max(last, 1e-3))));
    std::vector<double> samples;
    for (std::size_t r = 0; r < repeats; ++r) {
        const double t0 = now_ms();
        for (std::size_t i = 0; i < iters; ++i) step();
        samples.push_back((now_ms() - t0) / double(iters));
    }
    std::sort(samples.begin(), samples.end());
    const std::size_t n = samples.size();
    return {n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]), samples.front()};
}

// "case=NAME mode=MODE ms_per_batch=X examples_per_s=Y best_ms=Z"
inline void report(std::size_t batch, const std::string& name, const char* mode, timing t) {
    std::printf("case=%s mode=%s ms_per_batch=%.4f examples_per_s=%.1f best_ms=%.4f\n", name.c_str(), mode, t.median_ms,
                double(batch) * 1e3 / t.median_ms, t.best_ms);
    std::fflush(stdout);
}

}  // namespace bench
