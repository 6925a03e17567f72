// helix's lstm, gru and bidirectional against PyTorch: tests/golden/recurrent.safetensors (made by
// tests/golden/make_recurrent_golden.py from torch.nn.LSTM / nn.GRU, batch_first=True, float64) holds, per case, the
// weights under helix's names, the input, the output weights g, the output, and the gradients of sum(out * g) with
// respect to the input and every parameter. We load the weights, run the same pass in double and compare everything.
// The Keras forms (hard_sigmoid gates, the GRU's reset gate before the recurrent product) come from cells written out
// in torch there (checked against nn.GRU / nn.LSTM in torch's form), unrolled, with autograd's gradients.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "helix/io/safetensors.hpp"
#include "helix/layers/recurrent/gru.hpp"
#include "helix/layers/recurrent/lstm.hpp"
#include "helix/nn/bidirectional.hpp"
#include "helix/nn/network.hpp"
#include "helix/testing/compare.hpp"
#include "support/golden.hpp"

using namespace helix;

namespace {

// Must match BATCH, LENGTH, INPUT, HIDDEN in tests/golden/make_recurrent_golden.py.
constexpr std::size_t batch = 3, length = 6, inputs = 3, hidden = 4;
using input_shape = shape<length, inputs>;

const testing::tolerance golden_tolerance{.rtol = 1e-9, .atol = 1e-12};

const helix_test::golden_fixture& golden() {
    static const helix_test::golden_fixture fixture(HELIX_GOLDEN_DIR "/recurrent.safetensors");
    return fixture;
}

std::vector<double> values(const std::string& name) { return golden().values(name); }

void check_close(std::span<const double> actual, const std::string& name) {
    golden().check_close(actual, name, golden_tolerance);
}

template <class Model>
void check_case(const std::string& name, std::size_t expected_tensors) {
    network<input_shape, Model, double> net;
    REQUIRE(net.parameter_info().size() == expected_tensors);
    for (const auto& p : net.parameter_info()) {
        const safetensors_entry& entry = golden().at(name + ".param." + p.name);
        INFO(name << ": " << p.name);
        REQUIRE(entry.dims == p.dims);
        const auto v = entry.as<double>();
        std::copy(v.begin(), v.end(), net.parameters().begin() + std::ptrdiff_t(p.offset));
    }
    tensor<double, input_shape> x(batch), dx(batch);
    const auto xv = values(name + ".input");
    REQUIRE(xv.size() == x.size());
    std::copy(xv.begin(), xv.end(), x.data());
    dx.fill(12345.0);  // must be overwritten

    cpu_context ctx(2);
    const auto out = net.forward(ctx, x.cview());
    check_close({out.data(), out.size()}, name + ".output");
    const auto g = values(name + ".g");
    REQUIRE(g.size() == out.gradient.size());
    std::copy(g.begin(), g.end(), out.gradient.data());
    net.zero_grad();
    net.backward(ctx, x.cview(), dx.view());
    check_close({dx.data(), dx.size()}, name + ".input_grad");
    for (const auto& p : net.parameter_info())
        check_close(net.gradients().subspan(p.offset, p.size), name + ".grad." + p.name);
}

}  // namespace

TEST_CASE("lstm matches torch.nn.LSTM: outputs, input and parameter gradients") {
    check_case<lstm<hidden>>("lstm_sequence", 4);
    check_case<lstm<hidden, rnn_output::last>>("lstm_last", 4);
}

TEST_CASE("gru matches torch.nn.GRU: outputs, input and parameter gradients") {
    check_case<gru<hidden>>("gru_sequence", 4);
    check_case<gru<hidden, rnn_output::last>>("gru_last", 4);
}

TEST_CASE("bidirectional lstm and gru match torch's bidirectional=True (output, and h_n for last)") {
    check_case<bidirectional<lstm<hidden>>>("bilstm_sequence", 8);
    check_case<bidirectional<lstm<hidden, rnn_output::last>>>("bilstm_last", 8);
    check_case<bidirectional<gru<hidden>>>("bigru_sequence", 8);
    check_case<bidirectional<gru<hidden, rnn_output::last>>>("bigru_last", 8);
}

namespace {
constexpr auto hard = gate_activation::hard_sigmoid;
constexpr auto before = reset_gate::before;
constexpr auto seq_out = rnn_output::sequence;
constexpr auto last_out = rnn_output::last;
constexpr auto fwd = rnn_direction::forward;
}  // namespace

TEST_CASE("Keras GRU forms match written-out torch cells: hard_sigmoid gates, reset gate before (reset_after=False)") {
    check_case<gru<hidden, seq_out, fwd, hard>>("gru_hard_sequence", 4);
    check_case<gru<hidden, seq_out, fwd, gate_activation::sigmoid, before>>("gru_before_sequence", 3);
    check_case<gru<hidden, last_out, fwd, hard, before>>("gru_before_hard_last", 3);
    check_case<bidirectional<gru<hidden, seq_out, fwd, hard, before>>>("bigru_before_hard_sequence", 6);
    check_case<bidirectional<gru<hidden, last_out, fwd, gate_activation::sigmoid, before>>>("bigru_before_last", 6);
}

TEST_CASE("Keras LSTM with hard_sigmoid gates matches a written-out torch cell") {
    check_case<lstm<hidden, seq_out, fwd, hard>>("lstm_hard_sequence", 4);
    check_case<lstm<hidden, last_out, fwd, hard>>("lstm_hard_last", 4);
    check_case<bidirectional<lstm<hidden, seq_out, fwd, hard>>>("bilstm_hard_sequence", 8);
}
