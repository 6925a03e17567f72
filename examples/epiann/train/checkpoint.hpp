// Checkpoints of a training run, both safetensors files (numpy and PyTorch users can read them):
//   model.safetensors  the weights to use (the best epoch on the validation set) under helix's parameter names,
//                      with the run's metadata as JSON in __metadata__["epiann"]: model variant and shapes,
//                      coordinate normalisation, split, seed, data checksums, validation figures.
//   state.safetensors  everything needed to continue an interrupted run exactly: the latest weights, Adam's
//                      moments ("optimizer.m", "optimizer.v"), and the loop's position as JSON metadata.
// Both are written atomically (temporary name, fsync, rename), so a run killed at any moment leaves the previous
// complete files. Reading a file that is not an epiann checkpoint, or one made for another model, is an
// input_error naming the file.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <helix/io/safetensors.hpp>
#include <helix/optim/adam.hpp>

#include "common/errors.hpp"
#include "common/json_numbers.hpp"

namespace epiann {

inline constexpr const char* checkpoint_metadata_key = "epiann";

// The run metadata stored in a checkpoint, without reading its tensors' data into a network.
inline nlohmann::json read_checkpoint_metadata(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw input_error_at(path.string(), 0, "is a directory: give the checkpoint in it (RUN/model.safetensors)");
    if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
        throw input_error_at(path.string(), 0, "is not a regular file (a pipe?): a checkpoint must be a file on disk");
    {
        // A safetensors file: an 8-byte header length, then its JSON header, "{" first.
        std::ifstream in(path, std::ios::binary);
        char head[9] = {};
        if (in && in.read(head, 9) && head[8] != '{')
            throw input_error_at(path.string(), 0, "is not a safetensors checkpoint (epiann writes RUN/model.safetensors)");
    }
    helix::safetensors_file file;
    try {
        file = helix::read_safetensors(path);
    } catch (const helix::io_error& e) {
        throw input_error(e.what());
    }
    const auto it = file.metadata.find(checkpoint_metadata_key);
    if (it == file.metadata.end())
        throw input_error_at(path.string(), 0, "not an epiann checkpoint: no \"epiann\" entry in its metadata");
    try {
        return nlohmann::json::parse(it->second);
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(path.string(), 0, "its epiann metadata is not valid JSON: " + json_problem(e));
    }
}

template <class Net>
void save_model(const std::filesystem::path& path, const Net& net, const nlohmann::json& metadata) {
    helix::save_safetensors(path, net, {{checkpoint_metadata_key, metadata.dump()}});
}

// Loads the weights into `net` (names, dtypes and shapes must match exactly) and returns the metadata.
template <class Net>
nlohmann::json load_model(const std::filesystem::path& path, Net& net) {
    const nlohmann::json metadata = read_checkpoint_metadata(path);
    try {
        helix::load_safetensors(path, net);
    } catch (const helix::io_error& e) {
        throw input_error(e.what());
    }
    return metadata;
}

template <class Net>
void save_training_state(const std::filesystem::path& path, const Net& net, helix::adam<float>& optimizer,
                         const nlohmann::json& state) {
    std::vector<helix::safetensors_entry> entries;
    const auto params = net.parameters();
    for (const auto& p : net.parameter_info())
        entries.push_back(helix::safetensors_entry::from<float>("model." + p.name, params.subspan(p.offset, p.size), p.dims));
    const std::vector<std::size_t> arena{params.size()};
    if (optimizer.steps() > 0) {
        entries.push_back(helix::safetensors_entry::from<float>("optimizer.m", optimizer.first_moment(), arena));
        entries.push_back(helix::safetensors_entry::from<float>("optimizer.v", optimizer.second_moment(), arena));
    }
    nlohmann::json with_steps = state;
    with_steps["optimizer_steps"] = optimizer.steps();
    helix::write_safetensors(path, entries, {{checkpoint_metadata_key, with_steps.dump()}});
}

// Restores weights and optimizer state saved by save_training_state and returns the loop's state.
template <class Net>
nlohmann::json load_training_state(const std::filesystem::path& path, Net& net, helix::adam<float>& optimizer) {
    const nlohmann::json state = read_checkpoint_metadata(path);
    const std::string name = path.string();
    helix::safetensors_file file;
    std::size_t steps = 0;
    try {
        file = helix::read_safetensors(path);
        steps = state.value("optimizer_steps", std::size_t{0});
    } catch (const helix::io_error& e) {
        throw input_error(e.what());
    } catch (const nlohmann::json::exception& e) {
        throw input_error_at(name, 0, "training state: bad \"optimizer_steps\": " + json_problem(e));
    }
    auto values = [&](const std::string& tensor, std::size_t expected) {
        const auto* e = file.find(tensor);
        if (e == nullptr) throw input_error_at(name, 0, "training state has no tensor \"" + tensor + "\"");
        if (e->dtype != "F32" || e->bytes.size() != expected * sizeof(float))
            throw input_error_at(name, 0, "tensor \"" + tensor + "\" does not match the model (expected F32 with " +
                                              std::to_string(expected) + " values)");
        auto v = e->as<float>();
        if (const auto bad = helix::count_non_finite(std::span<const float>(v)); bad.count > 0)
            throw input_error_at(name, 0, "tensor \"" + tensor + "\" holds " + std::to_string(bad.count) +
                                              " non-finite values (NaN or infinity; the first at index " +
                                              std::to_string(bad.first) + "): the state cannot be resumed");
        return v;
    };
    const auto params = net.parameters();
    for (const auto& p : net.parameter_info()) {
        const auto v = values("model." + p.name, p.size);
        std::copy(v.begin(), v.end(), params.begin() + std::ptrdiff_t(p.offset));
    }
    if (steps > 0) optimizer.restore(values("optimizer.m", params.size()), values("optimizer.v", params.size()), steps);
    return state;
}

}  // namespace epiann
