// zoo_speed: training and inference speed of the published EPI models of examples/epiann/models at their authors'
// sizes (and the reduced ones), float, in the one-line format of bench/zoo_torch.py, so that bench/compare_zoo.sh can
// alternate the two and take ratios. A training step is what `epiann train` does per batch: forward in training mode,
// BCE with logits on the labels, backward, Adam (lr 1e-3). Inference: forward in inference mode.
// Timing: bench/sample_timing.hpp (warm-up of 3 steps and 100 ms, then samples of about --sample-ms).
// Usage: zoo_speed [--threads 2] [--batch 64] [--repeats 5] [--sample-ms 200] [--case NAME[,NAME...]] [--list]
// Output: "case=NAME mode=train|infer ms_per_batch=X examples_per_s=Y best_ms=Z" per case and mode; '#' comments.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <helix/core/mode.hpp>
#include <helix/helix.hpp>

#include "models/epi_mind.hpp"
#include "sample_timing.hpp"
#include "models/speid.hpp"

namespace {

struct options {
    int threads = 2;
    std::size_t repeats = 5, batch = 64;
    double sample_ms = 200;
    std::vector<std::string> cases;
    bool list = false;
};

void report(const options& o, const std::string& name, const char* mode, bench::timing t) { bench::report(o.batch, name, mode, t); }

bench::timing time_ms(const options& o, const std::function<void()>& step) { return bench::time_ms(o.repeats, o.sample_ms, step); }

template <class Variant>
bool run(const options& o, const std::string& name) {
    using Net = helix::network<epiann::epiann_input<Variant::enhancer_window, Variant::promoter_window>,
                               decltype(Variant::spec(0.2f)), float>;
    auto net = std::make_unique<Net>(Variant::spec(0.2f));
    net->init(1, helix::init::glorot_uniform{});
    helix::cpu_context ctx(o.threads, 7);
    using E = typename Net::input::first_type;
    using P = typename Net::input::second_type;
    helix::tensor<float, E> e(o.batch);
    helix::tensor<float, P> p(o.batch);
    helix::tensor<float, helix::shape<1>> labels(o.batch);
    helix::counter_rng r(3);
    for (std::size_t b = 0; b < o.batch; ++b) {
        for (std::size_t l = 0; l < E::first; ++l) e(b, l, r.next_below(4)) = 1.0f;
        for (std::size_t l = 0; l < P::first; ++l) p(b, l, r.next_below(4)) = 1.0f;
        labels.data()[b] = float(b % 2);
    }
    const auto x = helix::make_pair_view(e.cview(), p.cview());
    helix::adam<float> optimizer(1e-3f);
    bool finite = true;
    auto step = [&] {
        helix::set_mode(ctx, helix::mode::training);
        const auto out = net->forward(ctx, x);
        const double loss = helix::bce_with_logits(out, labels.cview(), out.gradient);
        finite = finite && std::isfinite(loss);
        net->zero_grad();
        net->backward(ctx, x);
        optimizer.step(*net, ctx);
    };
    step();
    if (!finite) {
        std::fprintf(stderr, "zoo_speed: %s: the training step gave a non-finite loss\n", name.c_str());
        return false;
    }
    report(o, name, "train", time_ms(o, step));
    helix::set_mode(ctx, helix::mode::inference);
    report(o, name, "infer", time_ms(o, [&] { net->forward(ctx, x); }));
    return true;
}

struct bench_case {
    const char* name;
    const char* what;
    bool (*run)(const options&, const std::string&);
};

const bench_case cases[] = {
    {"speid", "SPEID at its authors' size (1024 filters, BiLSTM 100, dense 1000; 50.4 M parameters)", &run<epiann::speid_original>},
    {"epi_mind", "EPI-Mind at its authors' size (72 x 36 conv, 4 shared encoder layers; 1.45 M parameters)",
     &run<epiann::epi_mind_original>},
    {"speid_small", "SPEID reduced (epiann's speid-small)", &run<epiann::speid_reduced>},
    {"epi_mind_small", "EPI-Mind reduced (epiann's epi-mind-small)", &run<epiann::epi_mind_reduced>},
};

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "zoo_speed: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--threads") o.threads = std::atoi(value().c_str());
        else if (a == "--batch") o.batch = std::size_t(std::atol(value().c_str()));
        else if (a == "--repeats") o.repeats = std::size_t(std::atol(value().c_str()));
        else if (a == "--sample-ms") o.sample_ms = std::atof(value().c_str());
        else if (a == "--list") o.list = true;
        else if (a == "--case") {
            std::string v = value();
            for (std::size_t s = 0, c; s <= v.size(); s = c + 1) {
                c = v.find(',', s);
                if (c == std::string::npos) c = v.size();
                if (c > s) o.cases.push_back(v.substr(s, c - s));
            }
        } else {
            std::fprintf(stderr, "zoo_speed: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (o.threads < 1 || o.batch < 1 || o.repeats < 1) {
        std::fprintf(stderr, "zoo_speed: --threads, --batch and --repeats must be at least 1\n");
        return 2;
    }
    if (o.list) {
        for (const auto& c : cases) std::printf("%s  %s\n", c.name, c.what);
        return 0;
    }
    for (const auto& wanted : o.cases)
        if (std::none_of(std::begin(cases), std::end(cases), [&](const bench_case& c) { return wanted == c.name; })) {
            std::fprintf(stderr, "zoo_speed: no case %s (see --list)\n", wanted.c_str());
            return 2;
        }
    std::printf("# zoo_speed: threads=%d batch=%zu repeats=%zu\n", o.threads, o.batch, o.repeats);
    bool ok = true;
    for (const auto& c : cases)
        if (o.cases.empty() || std::find(o.cases.begin(), o.cases.end(), c.name) != o.cases.end()) ok = c.run(o, c.name) && ok;
    return ok ? 0 : 1;
}
