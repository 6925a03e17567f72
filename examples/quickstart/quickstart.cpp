// Quickstart: find a motif in DNA with a small convolutional model, then save it. (docs/01-quickstart.md)
#include <cstdio>
#include <string_view>
#include <helix/helix.hpp>
#include <helix/io/safetensors.hpp>
using namespace helix;

int main() {
    using dna = shape<100, 4>;  // 100 bp, one-hot A C G T; the batch size is chosen at run time
    auto net = make_network<dna>(seq{conv1d<16, 8, bias::on>{}, relu{}, max_pool1d<93>{}, flatten{}, dense<1>{}});
    net.init(/*seed=*/1);
    tensor<float, dna> x(64);
    tensor<float, shape<1>> y(64);
    cpu_context ctx;
    adam<float> opt;  // PyTorch's defaults: lr 1e-3, betas (0.9, 0.999)
    for (int step = 0; step < 1000; ++step) {
        for (std::size_t i = 0; i < 64; ++i) {  // random DNA; odd samples carry TGACTCA (AP-1) somewhere
            const std::size_t at = ctx.rng.next_below(93);
            for (std::size_t l = 0; l < 100; ++l) {
                const bool motif = i % 2 && l >= at && l < at + 7;
                const std::size_t base = motif ? std::string_view("ACGT").find("TGACTCA"[l - at]) : ctx.rng.next_below(4);
                for (std::size_t c = 0; c < 4; ++c) x(i, l, c) = float(c == base);
            }
            y[i] = float(i % 2);
        }
        ctx.training = true;
        net.zero_grad();
        const auto out = net.forward(ctx, x);
        const float loss = bce_with_logits(out, y.cview(), out.gradient);
        net.backward(ctx, x);
        opt.step(net);
        if (step % 100 == 0) std::printf("step %4d  loss %.4f\n", step, loss);
    }
    save_safetensors("quickstart.safetensors", net);
    std::printf("saved %zu parameters to quickstart.safetensors\n", net.parameters().size());
}
