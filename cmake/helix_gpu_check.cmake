# HELIX_GPU_CHECK (bench/CMakeLists.txt includes this file when it is ON): the build scripts/gpu-check.sh makes on a
# bare GPU machine, for cuda_backend_test and epiann_gpu_throughput only, with nothing but helix, Eigen 3.4,
# OpenMP, CUDA and Catch2's CMake package (the tests directory asks for it; the pack holds it): no htslib, CLI11,
# nlohmann-json, libBigWig, curl, zlib or Google Benchmark.
#   scripts/gpu-check.sh configures -DHELIX_GPU_CHECK=ON -DHELIX_BUILD_BENCH=ON -DHELIX_BUILD_TESTS=ON
#   -DHELIX_BUILD_EXAMPLES=ON -DHELIX_ENABLE_CUDA=ON and builds the two targets by name; examples/epiann then defines
#   only epiann_model and epiann_cuda. cuda_backend_test is tests/CMakeLists.txt's own.
if(NOT HELIX_HAVE_CUDA)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs CUDA: -DHELIX_ENABLE_CUDA=ON -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc")
endif()
if(NOT HELIX_BUILD_TESTS)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs HELIX_BUILD_TESTS=ON: cuda_backend_test is defined in tests/")
endif()

if(NOT TARGET epiann_cuda)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs HELIX_BUILD_EXAMPLES=ON: epiann_cuda is defined in examples/epiann/")
endif()

add_executable(epiann_gpu_throughput ${PROJECT_SOURCE_DIR}/bench/epiann_gpu_throughput.cu)
target_link_libraries(epiann_gpu_throughput PRIVATE epiann_cuda helix_warnings)
