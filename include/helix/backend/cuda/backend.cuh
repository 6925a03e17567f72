// The CUDA backend in one include (CUDA sources only; compile with nvcc and link helix::cuda): context, buffers,
// every layer's device implementation, losses, optimisers and cuda::network.
#pragma once

#include "helix/backend/cuda/buffer.cuh"
#include "helix/backend/cuda/context.cuh"
#include "helix/backend/cuda/error.cuh"
#include "helix/backend/cuda/layers.cuh"
#include "helix/backend/cuda/loss.cuh"
#include "helix/backend/cuda/network.cuh"
#include "helix/backend/cuda/ops.cuh"
#include "helix/backend/cuda/optim.cuh"
#include "helix/nn/branches.hpp"
#include "helix/nn/named.hpp"
#include "helix/nn/seq.hpp"
#include "helix/nn/twin.hpp"
