// make_entry<Variant>(): a model_entry whose jobs (train, predict, explain, attribute) are instantiated for one model. Only the
// model's own translation unit (models/<name>.cpp) includes this header. A Variant provides:
//   name, architecture, size, summary, enhancer_window, promoter_window, augment_first, augment_step,
//   default_init, label_loss_weight, cuda, attention (C strings and numbers, as model_entry names them), and
//   map_meaning (what a cell of its pair map is; "" without one);
//   spec(dropout): the composition (network_of<Variant> is the network it makes);
// and, when `attention` is not empty, enhancer_bins() and promoter_bins() (bin_geometry) and
//   read_attention(net, b) -> pair_attention: sample b of the latest forward pass.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>

#include <helix/attribution/conv_pool_mutagenesis.hpp>
#include <helix/attribution/cross_effects.hpp>
#include <helix/attribution/gradients.hpp>
#include <helix/attribution/mutagenesis.hpp>
#include <helix/attribution/references.hpp>
#include <helix/core/mode.hpp>
#include <helix/io/pretrained.hpp>

#include "common/errors.hpp"
#include "models/catalog.hpp"
#include "models/epiann.hpp"
#include "train/checkpoint.hpp"

namespace epiann {

template <class Variant>
using network_of = helix::network<epiann_input<Variant::enhancer_window, Variant::promoter_window>,
                                  decltype(Variant::spec(0.2f)), float>;

}  // namespace epiann

namespace epiann::detail {

inline int threads_or_default(int threads) { return threads > 0 ? threads : helix::cpu_context::default_threads(); }

// f(net) on the host network, or on its CUDA mirror for a model the CUDA build covers.
template <class Variant, class F>
decltype(auto) on_device(device_kind device, network_of<Variant>& net, F&& f) {
    if constexpr (Variant::cuda) {
        return with_device(device, net, std::forward<F>(f));
    } else {
        if (device == device_kind::cuda)
            throw input_error(std::string("--device cuda: the CUDA build covers the EPIANN models (paper, small), not ") +
                              Variant::name + "; use --device cpu");
        return std::forward<F>(f)(net);
    }
}

template <class Variant>
std::unique_ptr<network_of<Variant>> make_network(float dropout) {
    return std::make_unique<network_of<Variant>>(Variant::spec(dropout));
}

// Every `*embedding.weight` of the network (one table per side) from one .npy matrix.
template <class Net>
void load_embeddings(Net& net, const std::string& path, const char* model) {
    std::size_t loaded = 0;
    for (const auto& p : net.parameter_info()) {
        const std::string& n = p.name;
        if (n.size() >= 16 && n.compare(n.size() - 16, 16, "embedding.weight") == 0) {
            try {
                helix::load_parameter_npy(net, n, path);
            } catch (const helix::io_error& e) {
                throw input_error(std::string("--embedding: ") + e.what());
            }
            ++loaded;
        }
    }
    if (loaded == 0)
        throw input_error(std::string("--embedding ") + path + ": the " + model +
                          " model has no k-mer embedding to load it into (speid, paper and small read one-hot DNA)");
}

template <class Variant>
train_result train_model(const train_job& job) {
    auto net = make_network<Variant>(job.dropout);
    train_options o = job.options;
    if (!job.embedding.empty()) {
        load_embeddings(*net, job.embedding, Variant::name);  // checked before the first epoch
        o.after_init = [&net, path = job.embedding] { load_embeddings(*net, path, Variant::name); };
    }
    return on_device<Variant>(job.device, *net, [&](auto& n) {
        return train(n, o, *job.training, *job.plan, *job.validation, *job.comm);
    });
}

template <class Variant>
std::vector<double> predict_model(const std::string& checkpoint, const example_set& set, int threads, device_kind device,
                                  communicator& comm) {
    auto net = make_network<Variant>(0.2f);
    load_model(checkpoint, *net);
    helix::cpu_context ctx(threads_or_default(threads));
    return on_device<Variant>(device, *net, [&](auto& n) {
        return predict_probabilities(n, ctx, set, 64, {}, comm, scores_on::root);
    });
}

template <class Variant>
attention_readout explain_model(const std::string& checkpoint, const window_examples& examples, int threads,
                                device_kind device) {
    attention_readout r;
    if constexpr (Variant::attention[0] == '\0') {
        throw std::logic_error(std::string(Variant::name) + " has no attention to explain");
    } else {
        auto net = make_network<Variant>(0.2f);
        load_model(checkpoint, *net);
        r.kind = Variant::attention;
        r.example.meaning = Variant::map_meaning;
        r.enhancer = Variant::enhancer_bins();
        r.promoter = Variant::promoter_bins();
        on_device<Variant>(device, *net, [&](auto& n) {
            helix::cpu_context ctx(threads_or_default(threads));
            ctx.training = false;
            batch_tensors<network_of<Variant>> b;
            constexpr std::size_t batch = 64;
            for (std::size_t first = 0; first < examples.size(); first += batch) {
                std::vector<std::size_t> items;
                for (std::size_t i = first; i < std::min(examples.size(), first + batch); ++i) items.push_back(i);
                b.fill(examples, items);
                const auto& out = n.forward(ctx, b.input());
                const float* logits = detail::logits_of(out).data();
                for (std::size_t k = 0; k < items.size(); ++k) {
                    explained_pair e;
                    e.pair = examples.item(items[k]).pair;
                    e.label = examples.label(items[k]);
                    e.probability = 1 / (1 + std::exp(-double(logits[k])));
                    e.windows = examples.windows(items[k]);
                    take_attention(e, Variant::read_attention(n, k), r.pairs.size(), r.pairs, r.example);
                    r.pairs.push_back(std::move(e));
                }
            }
            return 0;
        });
    }
    return r;
}

// Whether gradients reach the one-hot bases: not through a k-mer embedding (a lookup), from the description alone.
template <class Variant>
bool gradients_reach_bases() {
    const auto bound = std::make_unique<typename network_of<Variant>::bound_type>(Variant::spec(0.2f));
    helix::param_list list;
    bound->describe(list);
    return std::none_of(list.items().begin(), list.items().end(), [](const helix::param_info& p) {
        return p.name.ends_with("embedding.weight");
    });
}

template <class Variant>
attribution_readout attribute_model(const std::string& checkpoint, const window_examples& examples, int threads,
                                    attribution_method method, const attribution_options& o) {
    namespace attr = helix::attribution;
    using Net = network_of<Variant>;
    using E = typename Net::input::first_type;
    using P = typename Net::input::second_type;
    if (method == attribution_method::attention) throw std::logic_error("attribute_model: attention is read by explain_model");
    if (method != attribution_method::ism && !gradients_reach_bases<Variant>())
        throw input_error(std::string("--methods ") + method_name(method) + ": the " + Variant::name +
                          " model reads 6-mer tokens (an embedding lookup), so no gradient reaches the bases; use attention "
                          "or ism for it");
    auto net = make_network<Variant>(0.2f);
    load_model(checkpoint, *net);
    helix::cpu_context ctx(threads_or_default(threads));
    helix::set_mode(ctx, helix::mode::inference);
    std::vector<float> logit_only(helix::io_size<typename Net::output>, 0.f);
    logit_only[0] = 1;  // EPIANN's output starts with its logit, the others' is it
    const std::span<const float> w(logit_only);
    const std::size_t batch = method == attribution_method::ism ? 1 : method == attribution_method::integrated_gradients ? 4 : 64;
    attribution_readout r;
    batch_tensors<Net> b;
    helix::tensor<float, E> ea, e0;
    helix::tensor<float, P> pa, p0;
    for (std::size_t first = 0; first < examples.size(); first += batch) {
        std::vector<std::size_t> items;
        for (std::size_t i = first; i < std::min(examples.size(), first + batch); ++i) items.push_back(i);
        const std::size_t n = items.size();
        b.fill(examples, items);
        {
            const auto& out = net->forward(ctx, b.input());
            const float* logits = detail::logits_of(out).data();
            for (std::size_t k = 0; k < n; ++k) r.probabilities.push_back(1 / (1 + std::exp(-double(logits[k]))));
        }
        if (ea.batch() != n) ea = decltype(ea)(n), pa = decltype(pa)(n), e0 = decltype(e0)(n), p0 = decltype(p0)(n);
        const auto a = helix::make_pair_view(ea.view(), pa.view());
        switch (method) {
            // Both keep the gradient itself: per_base_scores reads x . g from it for input x gradient, and the
            // hypothetical contributions are the gradient's.
            case attribution_method::saliency:
            case attribution_method::input_x_gradient: attr::saliency(*net, ctx, b.input(), a, w); break;
            case attribution_method::integrated_gradients: {
                for (auto [side, x, ref] : {std::tuple{"enhancer", b.enhancer.data(), e0.data()}, std::tuple{"promoter", b.promoter.data(), p0.data()}}) {
                    const std::size_t size = std::string(side) == "enhancer" ? E::size : P::size;
                    const bool moves = o.vary == "both" || o.vary == side;
                    for (std::size_t k = 0; k < n; ++k) {
                        const std::span<const float> in(x + k * size, size);
                        const std::span<float> to(ref + k * size, size);
                        if (!moves) std::copy(in.begin(), in.end(), to.begin());
                        else if (o.reference == "zero") std::fill(to.begin(), to.end(), 0.f);
                        else attr::dinucleotide_shuffle(in, to, 4, o.seed, 2 * (first + k) + (std::string(side) == "promoter"));
                    }
                }
                const auto checks = attr::integrated_gradients(*net, ctx, b.input(), helix::make_pair_view(e0.cview(), p0.cview()),
                                                               a, w, {.steps = o.steps, .batch = 64});
                for (const auto& c : checks) r.attribution_sums.push_back(c.attribution_sum), r.output_differences.push_back(c.output_difference);
                break;
            }
            case attribution_method::ism:  // EPIANN: only the bins a substitution reaches are recomputed
                if constexpr (attr::has_conv_pool_trunk<Net>) attr::conv_pool_mutagenesis(*net, ctx, b.input(), a, w, {.batch = 64, .halves = {}});
                else attr::in_silico_mutagenesis(*net, ctx, b.input(), a, w, {.batch = 64, .halves = {}});
                break;
            case attribution_method::attention: break;
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::span<const float> xe(b.enhancer.view().sample(k), E::size), xp(b.promoter.view().sample(k), P::size);
            const std::span<const float> re(ea.view().sample(k), E::size), rp(pa.view().sample(k), P::size);
            r.pairs.push_back({per_base_scores(method, xe, re), per_base_scores(method, xp, rp)});
            if (o.hypothetical && has_hypothetical(method) && examples.label(items[k]) == 1) {
                r.one_hot.push_back({{xe.begin(), xe.end()}, {xp.begin(), xp.end()}});
                r.hypothetical.push_back({hypothetical_contributions(re), hypothetical_contributions(rp)});
            } else if (o.hypothetical) {
                r.one_hot.emplace_back();
                r.hypothetical.emplace_back();
            }
        }
    }
    return r;
}

template <class Variant>
pair_cross_effects cross_effects_model(const std::string& checkpoint, const window_examples& examples, std::size_t item,
                                       int threads) {
    if (!gradients_reach_bases<Variant>()) throw std::logic_error(std::string(Variant::name) + ": no gradient reaches the bases");
    using Net = network_of<Variant>;
    auto net = make_network<Variant>(0.2f);
    load_model(checkpoint, *net);
    helix::cpu_context ctx(threads_or_default(threads));
    helix::set_mode(ctx, helix::mode::inference);
    std::vector<float> logit_only(helix::io_size<typename Net::output>, 0.f);
    logit_only[0] = 1;
    batch_tensors<Net> b;
    const std::size_t items[] = {item};
    b.fill(examples, items);
    pair_cross_effects c;
    const helix::attribution::cross_effect_options o{.region = c.region, .batch = 64};
    const auto ep = helix::attribution::cross_effects(*net, ctx, b.input(), std::span<const float>(logit_only), true, o);
    const auto pe = helix::attribution::cross_effects(*net, ctx, b.input(), std::span<const float>(logit_only), false, o);
    c.enhancer_regions = ep.rows;
    c.promoter_regions = ep.cols;
    c.enhancer_to_promoter = ep.values;
    c.promoter_to_enhancer = pe.values;
    return c;
}

// Trainable values (buffers such as batch_norm's running statistics excluded), from the model's description alone.
template <class Variant>
std::size_t trainable_values() {
    const auto bound = std::make_unique<typename network_of<Variant>::bound_type>(Variant::spec(0.2f));
    helix::param_list list;
    bound->describe(list);
    std::size_t n = 0;
    for (const auto& p : list.items())
        if (p.kind != helix::param_kind::buffer) n += p.size;
    return n;
}

}  // namespace epiann::detail

namespace epiann {

template <class Variant>
constexpr model_entry make_entry() {
    return {Variant::name, Variant::architecture, Variant::size, Variant::summary, Variant::enhancer_window,
            Variant::promoter_window, Variant::augment_first, Variant::augment_step, Variant::default_init,
            Variant::label_loss_weight, Variant::cuda, Variant::attention, &detail::trainable_values<Variant>,
            &detail::train_model<Variant>, &detail::predict_model<Variant>,
            Variant::attention[0] == '\0' ? nullptr : &detail::explain_model<Variant>, &detail::attribute_model<Variant>,
            &detail::gradients_reach_bases<Variant>, &detail::cross_effects_model<Variant>};
}

}  // namespace epiann
