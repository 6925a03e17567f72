// The opt-in xtensor interop from an installed helix.
#include <cstdio>

#include <helix/helix.hpp>
#include <helix/interop/xtensor.hpp>

int main() {
    helix::tensor<float, helix::shape<3, 2>> t(2);
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = float(i);
    const auto x = helix::as_xtensor(t.view());
    std::printf("consumer_xtensor: element (1, 2, 1) = %.0f\n", double(x(1, 2, 1)));
    return x(1, 2, 1) == 11.f ? 0 : 1;
}
