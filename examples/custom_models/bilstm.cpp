// DanQ / SPEID style: convolution, max pooling, a bidirectional LSTM, a dense output. Learns the two-motif task of
// motif_task.hpp. (docs/07-custom-models.md walks through it.)
#include <cstdio>

#include <helix/helix.hpp>

#include "motif_task.hpp"

using namespace helix;

int main() {
    auto net = make_network<shape<200, 4>>(seq{conv1d<32, 9, bias::on>{}, relu{}, max_pool1d<8>{},
                                               bidirectional{lstm<16, rnn_output::last>{}}, dense<1>{}});
    net.init(/*seed=*/1, init::fan_in_uniform{});  // PyTorch's initialisation of LSTM weights
    std::printf("conv-BiLSTM: %zu parameters\n", net.parameters().size());
    const custom_models::motif_task<200> train(3000, 1), held_out(1000, 2);
    const double accuracy = custom_models::train_and_report(net, train, held_out, /*epochs=*/10, 32, 3e-3f);
    return accuracy > 0.85 ? 0 : 1;
}
