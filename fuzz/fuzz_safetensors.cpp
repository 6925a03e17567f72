// safetensors files (include/helix/io/safetensors.hpp): the header's JSON, offsets, dtypes and shapes; then loading
// into a network (load_safetensors) and resuming training state into it (train/checkpoint.hpp), which check names,
// dtypes and shapes against the network.
#include <helix/layers/activations.hpp>
#include <helix/layers/dense.hpp>
#include <helix/nn/network.hpp>
#include <helix/nn/seq.hpp>

#include "common/errors.hpp"
#include "fuzz_support.hpp"
#include "train/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = fuzz::write_input("model.safetensors", data, size);
    try {
        const auto f = helix::read_safetensors(path);
        std::size_t total = 0;
        for (const auto& e : f.entries) {
            total += e.bytes.size();
            if (e.dtype == "F32") fuzz::require(e.as<float>().size() * 4 == e.bytes.size());
        }
        fuzz::require(8 + total <= size);
    } catch (const helix::io_error&) {
    }
    using small = helix::seq<helix::dense<3>, helix::relu, helix::dense<2>>;
    auto net = helix::make_network<helix::shape<4>>(small{});
    try {
        (void)helix::load_safetensors(path, net);
    } catch (const helix::io_error&) {
    }
    helix::adam<float> optimizer(1e-3f);
    try {
        (void)epiann::load_training_state(path, net, optimizer);
    } catch (const epiann::input_error&) {
    } catch (const helix::io_error&) {
    }
    return 0;
}
