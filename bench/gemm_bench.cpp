// This machine's single-precision matrix-product peak: a large (2048^3) sgemm in Eigen and in OpenBLAS, each on
// 2 threads and on 1, and helix::backend::cpu::gemm (single-threaded BLAS or Eigen products on independent
// blocks, one per thread). Each first checks a sample of C against plain dot products.
#include <benchmark/benchmark.h>

#include <vector>

#include <Eigen/Core>
#include <helix/backend/cpu/gemm.hpp>
#include <helix/core/rng.hpp>
#include <helix/testing/compare.hpp>
#if defined(HELIX_USE_BLAS)
#include <cblas.h>
#endif

namespace {
constexpr std::size_t n = 2048;
using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct operands {
    matrix a = matrix(n, n), b = matrix(n, n), c = matrix(n, n);
    operands() {
        helix::counter_rng r(1);
        for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = float(r.next_normal()), b.data()[i] = float(r.next_normal());
    }
    // 64 elements of C against dot products in double.
    bool check(benchmark::State& state) const {
        std::vector<double> got, want;
        for (std::size_t s = 0; s < 64; ++s) {
            const std::size_t i = (s * 977) % n, j = (s * 331) % n;
            double d = 0;
            for (std::size_t k = 0; k < n; ++k) d += double(a(i, k)) * b(k, j);
            want.push_back(d);
            got.push_back(c(i, j));
        }
        const auto cmp = helix::testing::compare(got.data(), want.data(), got.size(), {1e-4, 1e-3}, "sgemm sample");
        if (!cmp.ok) state.SkipWithError(cmp.message().c_str());
        return cmp.ok;
    }
};

void set_rate(benchmark::State& state) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_sgemm_eigen(benchmark::State& state) {
    operands m;
    Eigen::setNbThreads(int(state.range(0)));
    m.c.noalias() = m.a * m.b;
    if (!m.check(state)) return;
    for (auto _ : state) {
        m.c.noalias() = m.a * m.b;
        benchmark::DoNotOptimize(m.c.data());
    }
    set_rate(state);
}

#if defined(HELIX_USE_BLAS)
void BM_sgemm_openblas(benchmark::State& state) {
    operands m;
    openblas_set_num_threads(int(state.range(0)));
    const auto run = [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, m.a.data(), n, m.b.data(), n, 0.0f,
                    m.c.data(), n);
    };
    run();
    if (!m.check(state)) return;
    for (auto _ : state) {
        run();
        benchmark::DoNotOptimize(m.c.data());
    }
    set_rate(state);
}
BENCHMARK(BM_sgemm_openblas)->Arg(2)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);
#endif

void BM_sgemm_helix(benchmark::State& state) {
    operands m;
    const helix::cpu_context ctx(int(state.range(0)));
    using helix::backend::cpu::transpose;
    const auto run = [&] {
        helix::backend::cpu::gemm<float>(ctx, transpose::no, transpose::no, n, n, n, 1.0f, m.a.data(), n, m.b.data(), n,
                                         0.0f, m.c.data(), n);
    };
    run();
    if (!m.check(state)) return;
    for (auto _ : state) {
        run();
        benchmark::DoNotOptimize(m.c.data());
    }
    set_rate(state);
}
}  // namespace

BENCHMARK(BM_sgemm_eigen)->Arg(2)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sgemm_helix)->Arg(2)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);
