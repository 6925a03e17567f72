# HELIX_GPU_CHECK (bench/CMakeLists.txt includes this file when it is ON): the build scripts/gpu-check.sh makes on a
# bare GPU machine, for cuda_backend_test and epiann_gpu_throughput only, with nothing but helix, Eigen 3.4,
# OpenMP, CUDA and Catch2's CMake package (the tests directory asks for it; the pack holds it): no htslib, CLI11,
# nlohmann-json, libBigWig, curl, zlib or Google Benchmark.
#   scripts/gpu-check.sh configures -DHELIX_GPU_CHECK=ON -DHELIX_BUILD_BENCH=ON -DHELIX_BUILD_TESTS=ON
#   -DHELIX_BUILD_EXAMPLES=OFF -DHELIX_ENABLE_CUDA=ON and builds the two targets by name.
# With the examples off, epiann_model and epiann_cuda are defined here as examples/epiann/CMakeLists.txt defines them
# (keep in step); cuda_backend_test is tests/CMakeLists.txt's own (it needs epiann_cuda, defined before the tests).
if(NOT HELIX_HAVE_CUDA)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs CUDA: -DHELIX_ENABLE_CUDA=ON -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc")
endif()
if(NOT HELIX_BUILD_TESTS)
  message(FATAL_ERROR "HELIX_GPU_CHECK needs HELIX_BUILD_TESTS=ON: cuda_backend_test is defined in tests/")
endif()

set(helix_gpu_check_epiann ${PROJECT_SOURCE_DIR}/examples/epiann)
if(NOT TARGET epiann_model)
  add_library(epiann_model INTERFACE)
  target_include_directories(epiann_model INTERFACE ${helix_gpu_check_epiann})
  target_link_libraries(epiann_model INTERFACE helix::helix)
endif()
if(NOT TARGET epiann_cuda)
  add_library(epiann_cuda STATIC ${helix_gpu_check_epiann}/device/cuda_network.cu)
  target_include_directories(epiann_cuda PUBLIC ${helix_gpu_check_epiann})
  target_link_libraries(epiann_cuda PUBLIC helix::cuda epiann_model PRIVATE helix_warnings)
endif()

add_executable(epiann_gpu_throughput ${PROJECT_SOURCE_DIR}/bench/epiann_gpu_throughput.cu)
target_link_libraries(epiann_gpu_throughput PRIVATE epiann_cuda helix_warnings)
