// Training checkpoints (examples/epiann/train/checkpoint.hpp): the model file round-trips weights and metadata;
// the state file resumes Adam exactly; foreign or damaged files are input errors naming the file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>

#include "train/checkpoint.hpp"
#include "models/epiann.hpp"

using namespace helix;

namespace {

constexpr epiann::model_sizes tiny{.filters = 4, .width = 5, .pool = 10, .attention = 3, .top_k = 5, .hidden = 4,
                                   .coord_hidden1 = 6, .coord_hidden2 = 5};
using tiny_network = epiann::epiann_network<60, 45, tiny, float>;

std::filesystem::path scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / "epiann_checkpoint_test";
    std::filesystem::create_directories(dir);
    return dir / name;
}

// One Adam step on a fixed batch; returns the loss.
float train_step(tiny_network& net, adam<float>& opt) {
    cpu_context ctx(1, 5);
    ctx.training = false;
    ctx.auxiliary_outputs = true;  // the loss reads the coordinate heads
    tensor<float, shape<60, 4>> e(2);
    tensor<float, shape<45, 4>> p(2);
    for (std::size_t i = 0; i < e.size(); i += 4) e.data()[i + i % 3] = 1;
    for (std::size_t i = 0; i < p.size(); i += 4) p.data()[i + i % 4] = 1;
    tensor<float, shape<1>> y(2);
    y.data()[1] = 1;
    tensor<float, shape<2>> c(2);
    const auto in = make_pair_view(e.cview(), p.cview());
    const auto out = net.forward(ctx, in);
    const float loss = bce_with_logits(out.first, y.cview(), out.gradient.first, 10.f) +
                       mse(out.second.first, c.cview(), out.gradient.second.first) +
                       mse(out.second.second, c.cview(), out.gradient.second.second);
    net.zero_grad();
    net.backward(ctx, in);
    opt.step(net);
    return loss;
}

}  // namespace

TEST_CASE("model checkpoints round-trip weights and metadata") {
    tiny_network net;
    net.init(3, init::truncated_normal{});
    const auto path = scratch("model.safetensors");
    epiann::save_model(path, net, {{"model", "tiny"}, {"epoch", 4}});
    tiny_network loaded;
    const auto meta = epiann::load_model(path, loaded);
    CHECK(meta.at("model") == "tiny");
    CHECK(meta.at("epoch") == 4);
    CHECK(std::equal(net.parameters().begin(), net.parameters().end(), loaded.parameters().begin()));
    CHECK(epiann::read_checkpoint_metadata(path).at("epoch") == 4);
}

TEST_CASE("a resumed training state continues exactly where it stopped") {
    tiny_network a;
    a.init(11, init::truncated_normal{});
    adam<float> opt_a;
    for (int i = 0; i < 3; ++i) train_step(a, opt_a);
    const auto path = scratch("state.safetensors");
    epiann::save_training_state(path, a, opt_a, {{"epoch", 3}});

    tiny_network b;
    adam<float> opt_b;
    const auto state = epiann::load_training_state(path, b, opt_b);
    CHECK(state.at("epoch") == 3);
    CHECK(opt_b.steps() == 3);
    for (int i = 0; i < 2; ++i) CHECK(train_step(a, opt_a) == train_step(b, opt_b));  // bit for bit
    CHECK(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
}

TEST_CASE("files that are not epiann checkpoints are rejected with the file's name") {
    tiny_network net;
    const auto plain = scratch("plain.safetensors");
    save_safetensors(plain, net);  // a valid safetensors file without epiann metadata
    CHECK_THROWS_AS(epiann::load_model(plain, net), epiann::input_error);
    CHECK_THROWS_WITH(epiann::load_model(plain, net), Catch::Contains("plain.safetensors") && Catch::Contains("not an epiann checkpoint"));

    const auto truncated = scratch("truncated.safetensors");
    std::ofstream(truncated, std::ios::binary) << "12345";
    CHECK_THROWS_WITH(epiann::read_checkpoint_metadata(truncated), Catch::Contains("truncated.safetensors"));

    // A checkpoint of another model: names match but shapes do not.
    epiann::epiann_network<70, 45, tiny, float> other;
    const auto wrong = scratch("other.safetensors");
    epiann::save_model(wrong, other, {{"model", "other"}});
    CHECK_THROWS_WITH(epiann::load_model(wrong, net), Catch::Contains("other.safetensors") && Catch::Contains("shape"));
}

TEST_CASE("a checkpoint or training state with a NaN or infinite value is refused, naming the tensor") {
    tiny_network net;
    net.init(11, init::truncated_normal{});
    adam<float> opt;
    train_step(net, opt);
    const auto info = net.parameter_info();
    const auto& victim = info[1];
    for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        INFO(bad);
        tiny_network broken = net;
        broken.parameters()[victim.offset + 2] = bad;
        const auto model = scratch("nonfinite_model.safetensors");
        epiann::save_model(model, broken, {{"model", "tiny"}});
        tiny_network target;
        CHECK_THROWS_AS(epiann::load_model(model, target), epiann::input_error);
        CHECK_THROWS_WITH(epiann::load_model(model, target),
                          Catch::Contains("nonfinite_model.safetensors") && Catch::Contains("\"" + victim.name + "\"") &&
                              Catch::Contains("1 non-finite value (NaN or infinity; the first at index 2)"));

        const auto state = scratch("nonfinite_state.safetensors");
        epiann::save_training_state(state, broken, opt, {{"epoch", 1}});
        adam<float> restored;
        CHECK_THROWS_WITH(epiann::load_training_state(state, target, restored),
                          Catch::Contains("nonfinite_state.safetensors") && Catch::Contains("model." + victim.name) &&
                              Catch::Contains("non-finite"));
    }
}
