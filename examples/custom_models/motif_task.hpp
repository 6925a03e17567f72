// The small generated task both custom-model examples learn, and their training loop (docs/07-custom-models.md).
//
// Task: random DNA of Length bp, one-hot <Length, 4>. A positive carries two motifs, AP-1 (TGACTCA) and E-box
// (CACGTG), at random places; a negative carries one of them or neither. A model must find both and combine them: a
// single motif detector is right on at most 3/4 of the examples (that is the baseline the programs print).
// train_and_report trains with Adam on `train`, prints the loss of each epoch and returns the accuracy on `held_out`.
#pragma once

#include <cstdio>
#include <string_view>
#include <vector>

#include <helix/helix.hpp>

namespace custom_models {

template <std::size_t Length>
struct motif_task {
    helix::tensor<float, helix::shape<Length, 4>> x;
    helix::tensor<float, helix::shape<1>> y;

    motif_task(std::size_t n, std::uint64_t seed) : x(n), y(n) {
        helix::counter_rng rng(seed);
        constexpr std::string_view motifs[] = {"TGACTCA", "CACGTG"}, bases = "ACGT";
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<std::size_t> seq(Length);
            for (auto& b : seq) b = rng.next_below(4);
            const bool positive = i % 2 == 0;
            const std::size_t kind = rng.next_below(3);  // negatives: AP-1 only, E-box only, neither
            const bool plant[2] = {positive || kind == 0, positive || kind == 1};
            std::size_t at[2] = {rng.next_below(Length / 2 - 7), Length / 2 + rng.next_below(Length / 2 - 7)};
            if (rng.next_below(2)) std::swap(at[0], at[1]);  // either order
            for (int m = 0; m < 2; ++m)
                if (plant[m])
                    for (std::size_t k = 0; k < motifs[m].size(); ++k) seq[at[m] + k] = bases.find(motifs[m][k]);
            for (std::size_t l = 0; l < Length; ++l)
                for (std::size_t c = 0; c < 4; ++c) x(i, l, c) = float(c == seq[l]);
            y[i] = float(positive);
        }
    }
    std::size_t size() const { return y.batch(); }
};

// Accuracy of net's logits on task, in inference mode.
template <class Net, std::size_t Length>
double accuracy(Net& net, helix::cpu_context& ctx, const motif_task<Length>& task) {
    helix::set_mode(ctx, helix::mode::inference);
    const auto out = net.forward(ctx, task.x.view());
    std::size_t right = 0;
    for (std::size_t i = 0; i < task.size(); ++i) right += (out[i] > 0) == (task.y[i] > 0.5f);
    return double(right) / double(task.size());
}

// Trains net on `train` (Adam, mini-batches of `batch`, `epochs` passes) and returns its held-out accuracy.
template <class Net, std::size_t Length>
double train_and_report(Net& net, const motif_task<Length>& train, const motif_task<Length>& held_out, int epochs,
                        std::size_t batch = 32, float learning_rate = 1e-3f) {
    using in_shape = helix::shape<Length, 4>;
    helix::cpu_context ctx;
    helix::adam<float> opt(learning_rate);
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        double total = 0;
        for (std::size_t first = 0; first + batch <= train.size(); first += batch) {
            const helix::tensor_view<const float, in_shape> x(train.x.data() + first * in_shape::size, batch);
            const helix::tensor_view<const float, helix::shape<1>> y(train.y.data() + first, batch);
            helix::set_mode(ctx, helix::mode::training);
            net.zero_grad();
            const auto out = net.forward(ctx, x);
            total += helix::bce_with_logits(out, y, out.gradient) * double(batch);
            net.backward(ctx, x);
            opt.step(net, ctx);
        }
        std::printf("epoch %2d  training loss %.4f\n", epoch, total / double(train.size() / batch * batch));
    }
    const double acc = accuracy(net, ctx, held_out);
    std::printf("held-out accuracy %.3f on %zu examples (one motif alone: at most 0.75)\n", acc, held_out.size());
    return acc;
}

}  // namespace custom_models
