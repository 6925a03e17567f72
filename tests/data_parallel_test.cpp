// The arithmetic of data-parallel training (examples/epiann/train/trainer.hpp) without MPI, in double precision:
// a batch cut into shares (share_of), each share's loss weighted by its size and its dropout keyed by its place in
// the whole batch (cpu_context::share), gives the whole batch's gradient once the shares' gradients are summed.
#include <catch2/catch.hpp>

#include <numeric>
#include <vector>

#include "helix/testing/compare.hpp"
#include "models/epiann.hpp"
#include "train/distributed.hpp"

using namespace helix;

namespace {

constexpr epiann::model_sizes tiny{.filters = 4, .width = 5, .pool = 10, .attention = 3, .top_k = 5, .hidden = 4,
                                   .coord_hidden1 = 6, .coord_hidden2 = 5};
constexpr std::size_t le = 60, lp = 45;
using tiny_network = epiann::epiann_network<le, lp, tiny, double>;

struct batch {
    tensor<double, shape<le, 4>> enhancer;
    tensor<double, shape<lp, 4>> promoter;
    tensor<double, shape<1>> label;
    tensor<double, shape<2>> enhancer_coords, promoter_coords;

    explicit batch(std::size_t n) : enhancer(n), promoter(n), label(n), enhancer_coords(n), promoter_coords(n) {}

    // Rows [first, first + count) of `all`.
    batch(const batch& all, std::size_t first, std::size_t count) : batch(count) {
        auto rows = [&](const auto& from, auto& to, std::size_t per_sample) {
            std::copy_n(from.data() + first * per_sample, count * per_sample, to.data());
        };
        rows(all.enhancer, enhancer, le * 4);
        rows(all.promoter, promoter, lp * 4);
        rows(all.label, label, 1);
        rows(all.enhancer_coords, enhancer_coords, 2);
        rows(all.promoter_coords, promoter_coords, 2);
    }
};

batch random_batch(std::size_t n) {
    batch b(n);
    counter_rng rng(5, 1);
    auto one_hot = [&](double* x, std::size_t length) {
        std::fill(x, x + length * 4, 0.0);
        for (std::size_t j = 0; j < length; ++j) x[j * 4 + rng.next_below(4)] = 1;
    };
    for (std::size_t k = 0; k < n; ++k) {
        one_hot(b.enhancer.data() + k * le * 4, le);
        one_hot(b.promoter.data() + k * lp * 4, lp);
        b.label.data()[k] = double(k % 2);
        for (std::size_t c = 0; c < 2; ++c) {
            b.enhancer_coords.data()[2 * k + c] = rng.next_normal();
            b.promoter_coords.data()[2 * k + c] = rng.next_normal();
        }
    }
    return b;
}

struct share_result {
    std::vector<double> gradient, logits;
    double loss = 0;
    std::uint64_t rng_position = 0;
};

// One share's forward and backward as a rank computes it: EPIANN's loss (10 x BCE + two MSEs, as epiann_loss) with
// weight count / n; `keyed` false draws dropout as if the share were a batch of its own.
share_result run_share(tiny_network& net, const batch& all, std::size_t first, std::size_t count, bool keyed = true) {
    const std::size_t n = all.label.batch();
    const batch mine(all, first, count);
    cpu_context ctx(1, 42);
    ctx.training = true;
    if (keyed) ctx.share = {first, n};
    const auto input = make_pair_view(mine.enhancer.cview(), mine.promoter.cview());
    const auto out = net.forward(ctx, input);
    const double w = double(count) / double(n);
    share_result r;
    r.loss = bce_with_logits(out.first, mine.label.cview(), out.gradient.first, 10 * w) +
             mse(out.second.first, mine.enhancer_coords.cview(), out.gradient.second.first, w) +
             mse(out.second.second, mine.promoter_coords.cview(), out.gradient.second.second, w);
    r.logits.assign(out.first.data(), out.first.data() + count);
    net.zero_grad();
    net.backward(ctx, input);
    r.gradient.assign(net.gradients().begin(), net.gradients().end());
    r.rng_position = ctx.rng.position();
    return r;
}

}  // namespace

TEST_CASE("share_of cuts n items into contiguous shares whose sizes differ by at most one") {
    for (std::size_t n : {0, 1, 5, 64, 65}) {
        for (int ranks : {1, 2, 3, 7}) {
            std::size_t next = 0, smallest = n, largest = 0;
            for (int r = 0; r < ranks; ++r) {
                const auto s = epiann::share_of(n, r, ranks);
                CHECK(s.first == next);
                next += s.count;
                smallest = std::min(smallest, s.count);
                largest = std::max(largest, s.count);
            }
            CHECK(next == n);
            CHECK(largest - smallest <= 1);
        }
    }
}

TEST_CASE("a batch split into weighted shares with dropout keyed by global position gives the whole batch's gradient") {
    tiny_network net(epiann::epiann_spec<le, lp, tiny>(0.2f));
    net.init(3, init::truncated_normal{});
    constexpr std::size_t n = 12;
    const batch all = random_batch(n);
    const share_result whole = run_share(net, all, 0, n);

    for (int ranks : {2, 3, 5}) {
        INFO(ranks << " ranks");
        std::vector<double> gradient(whole.gradient.size(), 0.0), logits;
        double loss = 0;
        for (int r = 0; r < ranks; ++r) {
            const auto s = epiann::share_of(n, r, ranks);
            const share_result part = run_share(net, all, s.first, s.count);
            for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] += part.gradient[i];
            logits.insert(logits.end(), part.logits.begin(), part.logits.end());
            loss += part.loss;
            CHECK(part.rng_position == whole.rng_position);  // every rank's generator stays in step
        }
        const auto g = testing::compare(std::span<const double>(gradient), std::span<const double>(whole.gradient),
                                        {1e-10, 1e-13}, "summed share gradients");
        INFO(g.message());
        CHECK(g.ok);
        const auto y = testing::compare(std::span<const double>(logits), std::span<const double>(whole.logits),
                                        {1e-12, 1e-14}, "share logits (same dropout masks)");
        INFO(y.message());
        CHECK(y.ok);
        CHECK(loss == Approx(whole.loss).epsilon(1e-12));
    }

    SECTION("without the global key each share draws other dropout masks: the sum is not the batch's gradient") {
        std::vector<double> gradient(whole.gradient.size(), 0.0);
        for (int r = 0; r < 2; ++r) {
            const auto s = epiann::share_of(n, r, 2);
            const share_result part = run_share(net, all, s.first, s.count, false);
            for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] += part.gradient[i];
        }
        CHECK_FALSE(testing::compare(std::span<const double>(gradient), std::span<const double>(whole.gradient),
                                     {1e-6, 1e-9})
                        .ok);
    }
}

TEST_CASE("dropout rejects a share outside its global batch") {
    tiny_network net(epiann::epiann_spec<le, lp, tiny>(0.2f));
    net.init(3, init::truncated_normal{});
    const batch all = random_batch(4);
    cpu_context ctx(1, 1);
    ctx.training = true;
    ctx.share = {2, 5};  // samples 2..5 of a batch of 5
    CHECK_THROWS_WITH(net.forward(ctx, make_pair_view(all.enhancer.cview(), all.promoter.cview())),
                      Catch::Contains("outside the global batch of 5"));
}
