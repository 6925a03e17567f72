// helix: compile-time-shaped neural-network layers for DNA. The umbrella header: core, CPU backend,
// layers, composition, losses and optimisers. Opt-in headers are not included here: helix/io/*
// (checkpoints, .npy) and helix/interop/xtensor.hpp (needs the helix::xtensor target).
#pragma once

#include "helix/core/aligned_buffer.hpp"
#include "helix/core/context.hpp"
#include "helix/core/device.hpp"
#include "helix/core/error.hpp"
#include "helix/core/parallel_for.hpp"
#include "helix/core/rng.hpp"
#include "helix/core/shape.hpp"
#include "helix/core/tensor.hpp"
#include "helix/layers/activations.hpp"
#include "helix/layers/conv1d.hpp"
#include "helix/layers/dense.hpp"
#include "helix/layers/dropout.hpp"
#include "helix/layers/flatten.hpp"
#include "helix/layers/max_pool1d.hpp"
#include "helix/loss/bce_with_logits.hpp"
#include "helix/loss/mse.hpp"
#include "helix/nn/init.hpp"
#include "helix/nn/named.hpp"
#include "helix/nn/network.hpp"
#include "helix/nn/seq.hpp"
#include "helix/nn/twin.hpp"
#include "helix/optim/adam.hpp"
#include "helix/optim/sgd.hpp"
