# The CUDA backend, opt-in: HELIX_ENABLE_CUDA=ON and a CUDA compiler (check_language finds nvcc on the PATH or
# through CMAKE_CUDA_COMPILER). Defines helix::cuda and HELIX_HAVE_CUDA. The architecture defaults to 90 (the GPUs
# the project targets); a value the user gives wins. `native` is never chosen here: the build machines have no GPU.
include(CheckLanguage)
set(HELIX_HAVE_CUDA OFF)
if(NOT HELIX_ENABLE_CUDA)
  return()
endif()
# nvcc compiles host code with this compiler; the one the project uses is one nvcc 13 supports (g++ 12).
if(NOT DEFINED CMAKE_CUDA_HOST_COMPILER)
  set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}" CACHE FILEPATH "Host compiler of nvcc")
endif()
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  message(WARNING "HELIX_ENABLE_CUDA: no CUDA compiler found; building without CUDA "
                  "(give -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)")
  return()
endif()
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
  set(CMAKE_CUDA_ARCHITECTURES 90 CACHE STRING "CUDA architectures (helix's default: 90)")
endif()
enable_language(CUDA)
find_package(CUDAToolkit REQUIRED)
set(HELIX_HAVE_CUDA ON)

add_library(helix_cuda INTERFACE)
add_library(helix::cuda ALIAS helix_cuda)
set_target_properties(helix_cuda PROPERTIES EXPORT_NAME cuda)
# -std=c++20 directly: CMake 3.25 does not know nvcc 13's compile features (cuda_std_20 fails at generate time).
# --expt-relaxed-constexpr: HELIX_HD code calls constexpr host functions (std::array in Philox).
# --extended-lambda: kernels are written as __device__ lambdas (backend/cuda/launch.cuh).
# EIGEN_NO_CUDA: Eigen stays host-only (the CPU backend's headers are included by CUDA sources).
# OpenMP::OpenMP_CXX adds -fopenmp to C++ sources only.
target_compile_options(helix_cuda INTERFACE
  $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20 --expt-relaxed-constexpr --extended-lambda -Xcompiler=-fopenmp>)
target_compile_definitions(helix_cuda INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:EIGEN_NO_CUDA>)
# cudart statically, so that programs start (and report "no CUDA device") on machines without a driver.
target_link_libraries(helix_cuda INTERFACE helix CUDA::cublas CUDA::cudart_static)
