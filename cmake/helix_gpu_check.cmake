# HELIX_GPU_CHECK (bench/CMakeLists.txt includes this file when it is ON): the build scripts/gpu-check.sh makes on a
# bare GPU machine. It needs only helix, Eigen 3.4, OpenMP and CUDA: no htslib, CLI11, nlohmann-json, libBigWig,
# curl, zlib, Catch2 or Google Benchmark. It defines what those two programs need and nothing else:
#   epiann_model, epiann_cuda   as examples/epiann/CMakeLists.txt defines them (keep in step)
#   cuda_backend_test           as tests/CMakeLists.txt defines it (keep in step; it includes no Catch2)
#   epiann_gpu_throughput       bench/epiann_gpu_throughput.cu
# Configure with -DHELIX_GPU_CHECK=ON -DHELIX_BUILD_BENCH=ON -DHELIX_BUILD_EXAMPLES=OFF -DHELIX_BUILD_TESTS=OFF
# -DHELIX_ENABLE_CUDA=ON (the examples and tests directories would define the same targets).
if(NOT HELIX_HAVE_CUDA)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs CUDA: -DHELIX_ENABLE_CUDA=ON -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc")
endif()
if(HELIX_BUILD_EXAMPLES OR HELIX_BUILD_TESTS)
  message(FATAL_ERROR "HELIX_GPU_CHECK defines epiann_model, epiann_cuda and cuda_backend_test itself: "
                      "configure with -DHELIX_BUILD_EXAMPLES=OFF -DHELIX_BUILD_TESTS=OFF")
endif()

set(helix_gpu_check_epiann ${PROJECT_SOURCE_DIR}/examples/epiann)
set(helix_gpu_check_tests ${PROJECT_SOURCE_DIR}/tests)

add_library(epiann_model INTERFACE)
target_include_directories(epiann_model INTERFACE ${helix_gpu_check_epiann})
target_link_libraries(epiann_model INTERFACE helix::helix)

add_library(epiann_cuda STATIC ${helix_gpu_check_epiann}/device/cuda_network.cu)
target_include_directories(epiann_cuda PUBLIC ${helix_gpu_check_epiann})
target_link_libraries(epiann_cuda PUBLIC helix::cuda epiann_model PRIVATE helix_warnings)

add_executable(cuda_backend_test ${helix_gpu_check_tests}/cuda/cuda_backend_test.cu ${helix_gpu_check_tests}/cuda/cpu_reference.cpp)
target_link_libraries(cuda_backend_test PRIVATE helix::cuda epiann_model helix_warnings)

add_executable(epiann_gpu_throughput ${PROJECT_SOURCE_DIR}/bench/epiann_gpu_throughput.cu)
target_link_libraries(epiann_gpu_throughput PRIVATE epiann_cuda helix_warnings)
