// layer_speed: the layers of the second wave (attention, recurrent, normalisation, embedding, pooling) timed at the
// sizes of the EPI models, batch 32, float, in the one-line format of bench/layers_torch.py, so that
// bench/compare_layers.sh can alternate the two and take ratios. Not a Google Benchmark.
//   mode=train  forward + backward in training mode (batch statistics, parameter gradients and the input gradient)
//   mode=infer  forward only, in inference mode
// Each case first runs one training step and one inference forward and checks that the output, the input gradient
// and the parameter gradients are finite (exit 1 otherwise). Then warm-up, then `repeats` timed samples of `iters`
// iterations each (iters chosen so that a sample takes about --sample-ms); ms_per_batch is the median sample's time
// per iteration, best_ms the fastest sample's (less sensitive to other work on the machine).
// Usage: layer_speed [--threads 2] [--repeats 7] [--batch 32] [--sample-ms 50] [--case NAME[,NAME...]|all] [--list]
// Output: "case=NAME mode=train|infer ms_per_batch=X examples_per_s=Y best_ms=Z" per case and mode, and '#' comment
// lines.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sample_timing.hpp"

#include <helix/backend/cpu/isa.hpp>
#include <helix/core/context.hpp>
#include <helix/core/mode.hpp>
#include <helix/core/rng.hpp>
#include <helix/core/tensor.hpp>
#include <helix/layers/activations.hpp>
#include <helix/layers/attention/attention_pooling.hpp>
#include <helix/layers/attention/multi_head_attention.hpp>
#include <helix/layers/conv1d.hpp>
#include <helix/layers/dense.hpp>
#include <helix/layers/embedding/embedding.hpp>
#include <helix/layers/embedding/kmer_tokens.hpp>
#include <helix/layers/max_pool1d.hpp>
#include <helix/layers/norm/batch_norm.hpp>
#include <helix/layers/norm/layer_norm.hpp>
#include <helix/layers/recurrent/gru.hpp>
#include <helix/layers/recurrent/lstm.hpp>
#include <helix/nn/bidirectional.hpp>
#include <helix/nn/network.hpp>
#include <helix/nn/residual.hpp>
#include <helix/nn/seq.hpp>

using namespace helix;
using bench::timing;

namespace {

struct options {
    int threads = 2;
    std::size_t repeats = 7, batch = 32;
    double sample_ms = 50;
    std::vector<std::string> cases;  // empty: all
    bool list = false;
};

template <class T>
bool all_finite(const T* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i])) return false;
    return true;
}

timing time_ms(const options& o, const std::function<void()>& step) { return bench::time_ms(o.repeats, o.sample_ms, step); }

void report(const options& o, const std::string& name, const char* mode, timing t) { bench::report(o.batch, name, mode, t); }

// Times one model on input `x` (per-sample shape In). Input gradient requested unless `input_gradient` is false
// (token ids: PyTorch has no gradient for them either).
template <class In, class Model>
bool run_case(const options& o, const std::string& name, const Model& model, const tensor<float, In>& x,
              bool input_gradient = true) {
    auto net = make_network<In>(model);
    net.init(1);
    cpu_context ctx(o.threads, 7);
    tensor<float, In> dx(o.batch);
    using out_t = typename decltype(net)::output;
    const std::size_t out_size = o.batch * io_size<out_t>;
    const auto din = input_gradient ? dx.view() : tensor_view<float, In>{};

    // The check: one training step and one inference forward, everything finite.
    set_mode(ctx, mode::training);
    {
        auto y = net.forward(ctx, x.cview());
        counter_rng r(3);
        for (std::size_t i = 0; i < out_size; ++i) y.gradient.data()[i] = float(r.next_normal());
        net.zero_grad();
        net.backward(ctx, x.cview(), din);
        const bool ok = all_finite(y.data(), out_size) && all_finite(net.gradients().data(), net.gradients().size()) &&
                        (!input_gradient || all_finite(dx.data(), dx.size()));
        if (!ok) {
            std::fprintf(stderr, "layer_speed: case %s: training step gave a non-finite value\n", name.c_str());
            return false;
        }
    }
    set_mode(ctx, mode::inference);
    {
        auto y = net.forward(ctx, x.cview());
        if (!all_finite(y.data(), out_size)) {
            std::fprintf(stderr, "layer_speed: case %s: inference gave a non-finite value\n", name.c_str());
            return false;
        }
    }
    // The output gradient stays in the network's workspace (the batch does not change): filled once above.
    set_mode(ctx, mode::training);
    report(o, name, "train", time_ms(o, [&] {
               net.zero_grad();
               net.forward(ctx, x.cview());
               net.backward(ctx, x.cview(), din);
           }));
    set_mode(ctx, mode::inference);
    report(o, name, "infer", time_ms(o, [&] { net.forward(ctx, x.cview()); }));
    return true;
}

template <class S>
tensor<float, S> normal_input(std::size_t batch, std::uint64_t seed) {
    tensor<float, S> x(batch);
    counter_rng r(seed);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = float(r.next_normal());
    return x;
}

template <std::size_t L>
tensor<float, shape<L, 4>> one_hot_dna(std::size_t batch, std::uint64_t seed) {
    tensor<float, shape<L, 4>> x(batch);
    counter_rng r(seed);
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t l = 0; l < L; ++l) x(b, l, r.next_below(4)) = 1.0f;
    return x;
}

struct bench_case {
    std::string name, what;
    std::function<bool(const options&, const std::string&)> run;
};

// A case: input <L, C> of N(0, 1) values.
template <class In, class Model>
bench_case normal_case(std::string name, std::string what, Model model) {
    return {std::move(name), std::move(what), [model](const options& o, const std::string& n) {
                return run_case(o, n, model, normal_input<In>(o.batch, 1));
            }};
}

// Sizes of the EPI models: 100 or 200 positions of 64 channels after a convolution trunk, dna2vec's 100-dimensional
// 6-mer embedding, a 1000 bp one-hot window.
std::vector<bench_case> all_cases() {
    using seq100 = shape<100, 64>;
    using seq200 = shape<200, 64>;
    const auto encoder_block = seq{residual{multi_head_attention<8>{}}, layer_norm{},
                                   residual{seq{dense<256>{}, gelu{}, dense<64>{}}}, layer_norm{}};
    std::vector<bench_case> cases{
        normal_case<seq100>("mha8", "multi_head_attention<8> self-attention on <100, 64>", multi_head_attention<8>{}),
        normal_case<seq100>("encoder64", "post-norm encoder block (8 heads, d 64, ffn 256, gelu) on <100, 64>",
                            encoder_block),
        normal_case<seq200>("lstm64", "lstm<64> (sequence out) on <200, 64>", lstm<64>{}),
        normal_case<seq200>("gru64", "gru<64> (sequence out) on <200, 64>", gru<64>{}),
        normal_case<seq200>("bilstm50", "bidirectional{lstm<50>} on <200, 64>", bidirectional{lstm<50>{}}),
        normal_case<seq200>("bigru50", "bidirectional{gru<50>} on <200, 64>",
                            bidirectional{gru<50, rnn_output::sequence>{}}),
        normal_case<seq200>("layer_norm", "layer_norm on <200, 64>", layer_norm{}),
        normal_case<seq200>("batch_norm", "batch_norm on <200, 64>", batch_norm{}),
        {"embedding", "embedding<4097, 100> on the 6-mer ids <200> of random DNA <205, 4>",
         [](const options& o, const std::string& n) {
             // The ids: kmer_tokens<6> of random one-hot DNA, computed once (the lookup is what is timed).
             const auto dna = one_hot_dna<205>(o.batch, 2);
             tensor<float, shape<200>> ids(o.batch);
             cpu_context ctx(o.threads);
             kmer_tokens<6>::bind<shape<205, 4>>{}.forward<float>(ctx, nullptr, dna.cview(), ids.view(), nullptr);
             return run_case(o, n, embedding<4097, 100>{}, ids, false);
         }},
        normal_case<shape<200, 100>>("attention_pooling64", "attention_pooling<64> on <200, 100>",
                                     attention_pooling<64>{}),
        {"conv40_pool20", "conv1d<64, 40, bias::on> then max_pool1d<20> on one-hot <1000, 4>",
         [](const options& o, const std::string& n) {
             return run_case(o, n, seq{conv1d<64, 40, bias::on>{}, max_pool1d<20>{}}, one_hot_dna<1000>(o.batch, 1));
         }},
    };
    return cases;
}

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--list") {
            o.list = true;
            continue;
        }
        if (i + 1 >= argc) return false;
        const std::string value = argv[++i];
        if (key == "--threads") o.threads = std::atoi(value.c_str());
        else if (key == "--repeats") o.repeats = std::strtoul(value.c_str(), nullptr, 10);
        else if (key == "--batch") o.batch = std::strtoul(value.c_str(), nullptr, 10);
        else if (key == "--sample-ms") o.sample_ms = std::atof(value.c_str());
        else if (key == "--case") {
            if (value == "all") continue;
            for (std::size_t start = 0; start <= value.size();) {
                const std::size_t end = std::min(value.find(',', start), value.size());
                if (end > start) o.cases.push_back(value.substr(start, end - start));
                start = end + 1;
            }
        } else return false;
    }
    return o.threads >= 1 && o.repeats >= 1 && o.batch >= 2 && o.sample_ms > 0;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: layer_speed [--threads 2] [--repeats 7] [--batch 32 (>= 2)] [--sample-ms 50] "
                             "[--case NAME[,NAME...]|all] [--list]\n");
        return 2;
    }
    const auto cases = all_cases();
    if (o.list) {
        for (const auto& c : cases) std::printf("%-20s %s\n", c.name.c_str(), c.what.c_str());
        return 0;
    }
    for (const auto& want : o.cases)
        if (std::none_of(cases.begin(), cases.end(), [&](const bench_case& c) { return c.name == want; })) {
            std::fprintf(stderr, "layer_speed: no case %s here (--list shows them)\n", want.c_str());
            return 2;
        }
    std::printf("# helix layer_speed threads=%d batch=%zu repeats=%zu isa=%s\n", o.threads, o.batch, o.repeats,
                backend::cpu::isa_name(backend::cpu::detected_isa()));
    int status = 0;
    for (const auto& c : cases) {
        if (!o.cases.empty() && std::find(o.cases.begin(), o.cases.end(), c.name) == o.cases.end()) continue;
        if (!c.run(o, c.name)) status = 1;
    }
    return status;
}
