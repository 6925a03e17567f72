// The options of the throughput programs (epiann_throughput on the CPU, epiann_gpu_throughput on a GPU), parsed
// the same way, so that bench/compare_pytorch.sh and scripts/gpu-check.sh drive both alike:
//   --mode train|infer  --batch 64  --steps 10  --threads 2  --size paper|reduced  [--path device|mirror: GPU only]
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace helix_bench {

struct throughput_options {
    std::string mode = "train", size = "paper", path = "device";
    std::size_t batch = 64, steps = 10;
    int threads = 2;
};

// Nothing (after a usage line on stderr) when an option is unknown, lacks its value or is out of range.
inline std::optional<throughput_options> parse_throughput_options(int argc, char** argv, const char* program, bool with_path) {
    throughput_options o;
    const std::string usage = std::string("usage: ") + program + " [--mode train|infer] [--batch 64] [--steps 10] [--threads 2] " +
                              "[--size paper|reduced]" + (with_path ? " [--path device|mirror]" : "");
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--mode" && (value == "train" || value == "infer")) o.mode = value;
        else if (key == "--size" && (value == "paper" || value == "reduced")) o.size = value;
        else if (with_path && key == "--path" && (value == "device" || value == "mirror")) o.path = value;
        else if (key == "--batch") o.batch = std::strtoul(value.c_str(), nullptr, 10);
        else if (key == "--steps") o.steps = std::strtoul(value.c_str(), nullptr, 10);
        else if (key == "--threads") o.threads = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "%s\n", usage.c_str());
            return std::nullopt;
        }
    }
    if ((argc - 1) % 2 != 0 || o.batch == 0 || o.steps == 0 || o.threads < 1) {
        std::fprintf(stderr, "%s: options come in pairs; batch, steps and threads must be positive\n%s\n", program, usage.c_str());
        return std::nullopt;
    }
    return o;
}

}  // namespace helix_bench
