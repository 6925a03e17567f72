// The models `epiann` trains, scores and explains, by name: EPIANN and the published sequence-only EPI
// architectures (README.md in this folder), each at its authors' size and at a reduced size that trains within the
// demo's budget on two cores. A model_entry is what the pipeline (pipeline/runs.cpp, pipeline/explain.cpp) needs of
// a model; its jobs are instantiated once per model in that model's own translation unit (models/<name>.cpp, through
// models/jobs.hpp), so a new model costs one file's compile time, not every command's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/examples.hpp"
#include "device/device.hpp"
#include "explain/attribution.hpp"
#include "explain/readout.hpp"
#include "train/distributed.hpp"
#include "train/example_set.hpp"
#include "train/trainer.hpp"

namespace epiann {

// A training run's model-independent part, handed to model_entry::train.
struct train_job {
    train_options options;
    const example_set* training = nullptr;
    const training_plan* plan = nullptr;
    const example_set* validation = nullptr;
    communicator* comm = nullptr;
    device_kind device = device_kind::cpu;
    float dropout = 0.2f;         // EPIANN's rate (the other models use their authors' rates)
    std::string embedding;        // a pre-trained 6-mer matrix (.npy) for each side's embedding; empty: random
};

struct model_entry {
    const char* name;          // what --model takes
    const char* architecture;  // the published model
    const char* size;          // "original" (the authors' sizes) or "reduced"
    const char* summary;       // the composition in a line (help, compare's table)
    std::size_t enhancer_window, promoter_window;
    long long augment_first, augment_step;  // the 20 training shifts of positives
    const char* default_init;               // paper (EPIANN's TensorFlow code) or keras (glorot, biases 0)
    float label_loss_weight;                // EPIANN's 10 x BCE; 1 for the models trained with BCE alone
    bool cuda;                              // --device cuda is built for it (device/cuda_network.cu)
    const char* attention;                  // what `explain` reads as attention; "" when the model has none
    std::size_t (*parameters)();            // trainable values (buffers such as batch_norm's statistics excluded)
    train_result (*train)(const train_job&);
    // Interaction probability of every example of a set (rank 0 only under MPI), from a checkpoint.
    std::vector<double> (*predict)(const std::string& checkpoint, const example_set& set, int threads, device_kind device,
                                   communicator& comm);
    // Probabilities and attention of every example (the model must have attention).
    attention_readout (*explain)(const std::string& checkpoint, const window_examples& examples, int threads,
                                 device_kind device);
    // Per-base scores of every example by one method other than attention (explain/attribution.hpp), on the CPU.
    // input_error for a gradient method on a model whose input is k-mer tokens (no gradient reaches the bases).
    attribution_readout (*attribute)(const std::string& checkpoint, const window_examples& examples, int threads,
                                     attribution_method method, const attribution_options& options);
    bool (*gradients_reach_bases)();  // false for the k-mer embedding models: saliency and the like would be zero
    // The cross effects of example `item` (gradients_reach_bases models only; logic_error otherwise), on the CPU.
    pair_cross_effects (*cross_effects)(const std::string& checkpoint, const window_examples& examples, std::size_t item,
                                        int threads);
    nlohmann::json describe() const;  // what checkpoints store as "model"
};

// The entry called `name` (EPIANN's "paper" and "small" also answer to "epiann" and "epiann-small"); input_error
// listing every name otherwise.
const model_entry& find_model(std::string_view name);
const std::vector<const model_entry*>& all_models();
std::string model_names();  // "paper, small, speid, ..." for help texts and errors

}  // namespace epiann
