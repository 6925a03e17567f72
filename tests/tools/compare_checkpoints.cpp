// compare_checkpoints ACTUAL EXPECTED PREFIX RTOL ATOL: compares every F32 tensor whose name starts with PREFIX in
// two safetensors files (helix::testing::compare) and prints the worst element over all of them. Exit code 0 when
// every element is within ATOL + RTOL * |expected|, 1 when one is not, 2 when the files cannot be compared.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <helix/io/safetensors.hpp>
#include <helix/testing/compare.hpp>

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: compare_checkpoints ACTUAL EXPECTED PREFIX RTOL ATOL\n");
        return 2;
    }
    try {
        const auto actual = helix::read_safetensors(argv[1]), expected = helix::read_safetensors(argv[2]);
        const std::string prefix = argv[3];
        const helix::testing::tolerance tol{std::strtod(argv[4], nullptr), std::strtod(argv[5], nullptr)};
        helix::testing::comparison worst;
        std::string worst_name;
        std::size_t tensors = 0, elements = 0, equal = 0;
        for (const auto& e : expected.entries) {
            if (e.name.rfind(prefix, 0) != 0) continue;
            const auto want = e.as<float>(), got = actual.at(e.name).as<float>();
            const auto c = helix::testing::compare(std::span<const float>(got), std::span<const float>(want), tol, e.name);
            if (c.count == 0) {
                std::fprintf(stderr, "%s\n", c.message().c_str());
                return 1;
            }
            ++tensors;
            elements += c.count;
            for (std::size_t i = 0; i < want.size(); ++i) equal += got[i] == want[i];
            if (tensors == 1 || c.worst_ratio > worst.worst_ratio) worst = c, worst_name = e.name;
        }
        if (tensors == 0) {
            std::fprintf(stderr, "no tensor named %s* in %s\n", prefix.c_str(), argv[2]);
            return 2;
        }
        std::printf("%s* (%zu tensors, %zu elements, %.1f %% bit-identical): worst in %s\n", prefix.c_str(), tensors,
                    elements, 100.0 * double(equal) / double(elements), worst.message().c_str());
        return worst.ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "compare_checkpoints: %s\n", e.what());
        return 2;
    }
}
