#include "explain/attribution.hpp"

#include <algorithm>
#include <cmath>

#include "common/errors.hpp"
#include "common/line_reader.hpp"

namespace epiann {

namespace {
constexpr attribution_method all_methods[] = {attribution_method::attention, attribution_method::saliency,
                                              attribution_method::input_x_gradient, attribution_method::integrated_gradients,
                                              attribution_method::ism};
}

const char* method_name(attribution_method m) {
    switch (m) {
        case attribution_method::attention: return "attention";
        case attribution_method::saliency: return "saliency";
        case attribution_method::input_x_gradient: return "input_x_gradient";
        case attribution_method::integrated_gradients: return "integrated_gradients";
        case attribution_method::ism: return "ism";
    }
    return "?";
}

std::string method_cost(attribution_method m, std::size_t steps) {
    switch (m) {
        case attribution_method::attention: return "one forward per pair";
        case attribution_method::saliency:
        case attribution_method::input_x_gradient: return "one forward and backward per pair";
        case attribution_method::integrated_gradients:
            return std::to_string(steps) + " forwards and backwards per pair (--steps)";
        case attribution_method::ism: return "3 forwards per base of both windows per pair (9,000 + 6,000 for the paper's windows)";
    }
    return "";
}

std::vector<attribution_method> parse_methods(const std::string& list) {
    std::vector<attribution_method> out;
    for (const auto& field : split_fields(list, ',')) {
        const auto known = std::find_if(std::begin(all_methods), std::end(all_methods),
                                        [&](attribution_method m) { return field == method_name(m); });
        if (known == std::end(all_methods))
            throw input_error("--methods: unknown method \"" + std::string(field) +
                              "\"; expected a comma-separated list of attention, saliency, input_x_gradient, "
                              "integrated_gradients, ism");
        if (std::find(out.begin(), out.end(), *known) == out.end()) out.push_back(*known);
    }
    if (out.empty()) throw input_error("--methods: no method given");
    return out;
}

std::vector<float> per_base_scores(attribution_method m, std::span<const float> one_hot, std::span<const float> raw) {
    if (one_hot.size() != raw.size() || one_hot.size() % 4 != 0)
        throw std::invalid_argument("per_base_scores: one-hot rows and attributions of the same 4-letter window expected");
    const std::size_t n = one_hot.size() / 4;
    std::vector<float> out(n, 0.f);
    for (std::size_t l = 0; l < n; ++l) {
        const float* x = &one_hot[4 * l];
        const float* a = &raw[4 * l];
        switch (m) {
            case attribution_method::saliency:
                out[l] = std::max({std::abs(a[0]), std::abs(a[1]), std::abs(a[2]), std::abs(a[3])});
                break;
            case attribution_method::input_x_gradient:
                out[l] = x[0] * a[0] + x[1] * a[1] + x[2] * a[2] + x[3] * a[3];
                break;
            case attribution_method::integrated_gradients: out[l] = a[0] + a[1] + a[2] + a[3]; break;
            case attribution_method::ism: {
                float sum = 0;
                int substitutions = 0;
                for (int c = 0; c < 4; ++c)
                    if (x[c] != 1.f) sum += a[c], ++substitutions;
                out[l] = substitutions ? -sum / float(substitutions) : 0.f;
                break;
            }
            case attribution_method::attention: throw std::invalid_argument("per_base_scores: attention has no per-base raw scores");
        }
    }
    return out;
}

bool has_hypothetical(attribution_method m) {
    return m == attribution_method::saliency || m == attribution_method::input_x_gradient || m == attribution_method::ism;
}

std::vector<float> hypothetical_contributions(std::span<const float> raw) {
    if (raw.size() % 4 != 0) throw std::invalid_argument("hypothetical_contributions: rows of 4 letters expected");
    std::vector<float> out(raw.begin(), raw.end());
    for (std::size_t l = 0; l < raw.size(); l += 4) {
        const float mean = (raw[l] + raw[l + 1] + raw[l + 2] + raw[l + 3]) / 4;
        for (std::size_t c = 0; c < 4; ++c) out[l + c] -= mean;
    }
    return out;
}

bin_geometry method_bins(std::size_t window) { return {window, 1, 40, true, 0, 0}; }

std::vector<float> bin_sums(const bin_geometry& g, std::span<const float> bases) {
    if (bases.size() != g.window) throw std::invalid_argument("bin_sums: one score per base of the window expected");
    std::vector<float> out(g.bins(), 0.f);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const auto [begin, end] = g.span(k);
        for (std::size_t b = begin; b < end; ++b) out[k] += bases[b];
    }
    return out;
}

}  // namespace epiann
