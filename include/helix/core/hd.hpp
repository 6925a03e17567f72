// HELIX_HD marks functions that run on the host and, when compiled by nvcc, on a CUDA device.
// Backend-neutral kernels (include/helix/kernels) use it so one functor serves every backend.
#pragma once

#if defined(__CUDACC__)
#define HELIX_HD __host__ __device__
#else
#define HELIX_HD
#endif
