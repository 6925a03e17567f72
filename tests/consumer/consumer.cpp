// Composes, trains one step and runs a small model with an installed helix.
#include <cstdio>

#include <helix/helix.hpp>

int main() {
    using namespace helix;
    auto net = make_network<shape<20, 4>>(seq{conv1d<8, 5>{}, relu{}, max_pool1d<4>{}, flatten{}, dense<1>{}});
    net.init(1);
    cpu_context ctx(1);
    tensor<float, shape<20, 4>> x(2);
    tensor<float, shape<1>> y(2);
    for (std::size_t i = 0; i < x.size(); i += 4) x.data()[i + i % 3] = 1;
    y.data()[1] = 1;
    adam<float> opt;
    const auto out = net.forward(ctx, x.view());
    const float loss = bce_with_logits(out, y.cview(), out.gradient);
    net.backward(ctx, x.view());
    opt.step(net);
#if defined(HELIX_USE_BLAS)
    const char* products = "OpenBLAS";
#else
    const char* products = "Eigen";
#endif
    std::printf("consumer: %zu parameters, loss %.4f, products through %s\n", net.parameters().size(), loss, products);
    return loss > 0 ? 0 : 1;
}
