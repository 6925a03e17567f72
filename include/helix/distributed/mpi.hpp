// mpi_communicator: the few MPI collectives data-parallel training and sharded inference need, over spans.
//
// Represents: a communicator (MPI_COMM_WORLD by default) with rank(), size(), an in-place sum over a span
// (MPI_Allreduce: one call per span up to 2^31 - 1 elements), gathers of variable-length spans in rank order,
// agreement checks and abort. mpi_session initialises MPI (funnelled threads: OpenMP regions never call MPI) and
// finalises it. Requires: MPI initialised while a communicator is in use; every rank makes the same collective
// calls in the same order. Guarantees: a failing MPI call throws helix::error with MPI's message.
// Opt-in: link helix::mpi (built when MPI is found); helix.hpp never includes this header.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "helix/core/error.hpp"

namespace helix {

namespace detail {
inline void mpi_check(int code, const char* what) {
    if (code == MPI_SUCCESS) return;
    char message[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, message, &length);
    throw error(std::string(what) + " failed: " + std::string(message, std::size_t(length)));
}

template <class T>
MPI_Datatype mpi_datatype() {
    if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
    else if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
    else if constexpr (std::is_same_v<T, std::int32_t>) return MPI_INT32_T;
    else if constexpr (std::is_same_v<T, std::int64_t>) return MPI_INT64_T;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return MPI_UINT64_T;
    else static_assert(sizeof(T) == 0, "mpi_communicator: element type must be float, double, int32, int64 or uint64");
}
}  // namespace detail

class mpi_session {
public:
    // Initialises MPI unless it already is; finalises it on destruction only if this session initialised it.
    mpi_session(int* argc = nullptr, char*** argv = nullptr) {
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (initialised) return;
        int provided = 0;
        detail::mpi_check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        owner_ = true;
    }
    mpi_session(const mpi_session&) = delete;
    mpi_session& operator=(const mpi_session&) = delete;
    ~mpi_session() {
        int finalised = 0;
        MPI_Finalized(&finalised);
        if (owner_ && !finalised) MPI_Finalize();
    }

private:
    bool owner_ = false;
};

class mpi_communicator {
public:
    explicit mpi_communicator(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
        // Errors come back as codes (thrown as exceptions) instead of ending the job without a message.
        detail::mpi_check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
        detail::mpi_check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        detail::mpi_check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }

    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    MPI_Comm handle() const noexcept { return comm_; }

    // values[i] = the sum over ranks of values[i], on every rank.
    template <class T>
    void allreduce_sum(std::span<T> values) const {
        for (std::size_t first = 0; first < values.size(); first += chunk)
            detail::mpi_check(MPI_Allreduce(MPI_IN_PLACE, values.data() + first, count(values.size() - first),
                                            detail::mpi_datatype<T>(), MPI_SUM, comm_),
                              "MPI_Allreduce");
    }

    // Whether `value` is the same on every rank (two small reductions: its minimum and its maximum).
    bool same_on_all_ranks(std::uint64_t value) const {
        std::uint64_t low = value, high = value;
        detail::mpi_check(MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_UINT64_T, MPI_MIN, comm_), "MPI_Allreduce");
        detail::mpi_check(MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
        return low == high;
    }

    // Every rank's span concatenated in rank order: on `root` only (empty elsewhere), or on every rank.
    template <class T>
    std::vector<T> gather(std::span<const T> mine, int root = 0) const {
        return gather_impl(mine, root, false);
    }
    template <class T>
    std::vector<T> all_gather(std::span<const T> mine) const {
        return gather_impl(mine, 0, true);
    }

    void barrier() const { detail::mpi_check(MPI_Barrier(comm_), "MPI_Barrier"); }

    // Ends every rank of the job; for errors one rank cannot recover from while others wait in a collective.
    [[noreturn]] void abort(int code) const {
        MPI_Abort(comm_, code);
        std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest if it does
    }

private:
    static constexpr std::size_t chunk = std::size_t(INT_MAX);
    static int count(std::size_t n) { return int(std::min(n, chunk)); }

    template <class T>
    std::vector<T> gather_impl(std::span<const T> mine, int root, bool everywhere) const {
        if (mine.size() > chunk) throw argument_error("mpi_communicator::gather: more than 2^31 - 1 elements from one rank");
        const int n = int(mine.size());
        const std::size_t ranks = std::size_t(size_);
        std::vector<int> counts(ranks), offsets(ranks);
        if (everywhere)
            detail::mpi_check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
        else
            detail::mpi_check(MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm_), "MPI_Gather");
        std::size_t total = 0;
        for (std::size_t r = 0; r < counts.size(); ++r) {
            if (total > chunk) throw argument_error("mpi_communicator::gather: more than 2^31 - 1 elements in all");
            offsets[r] = int(total);
            total += std::size_t(counts[r]);
        }
        if (total > chunk) throw argument_error("mpi_communicator::gather: more than 2^31 - 1 elements in all");
        std::vector<T> all(everywhere || rank_ == root ? total : 0);
        const MPI_Datatype type = detail::mpi_datatype<T>();
        if (everywhere)
            detail::mpi_check(MPI_Allgatherv(mine.data(), n, type, all.data(), counts.data(), offsets.data(), type, comm_),
                              "MPI_Allgatherv");
        else
            detail::mpi_check(
                MPI_Gatherv(mine.data(), n, type, all.data(), counts.data(), offsets.data(), type, root, comm_),
                "MPI_Gatherv");
        return all;
    }

    MPI_Comm comm_;
    int rank_ = 0, size_ = 1;
};

}  // namespace helix
