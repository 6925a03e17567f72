// communicator: the processes a command runs on, with the few collectives training and scoring need.
//
// Data-parallel training: every rank holds the whole model, takes a contiguous share of each global batch
// (share_of) and the ranks sum their weighted gradients once per step. Sharded scoring: each rank scores a
// contiguous run of whole batches and rank 0 gathers them in input order. world() is every rank of the MPI job when
// epiann is built with MPI (HELIX_ENABLE_MPI) and started by an MPI launcher, otherwise this process alone; this
// header itself never needs MPI (train/world_mpi.cpp holds the MPI side).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace epiann {

class communicator {
public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    bool root() const { return rank() == 0; }

    // In place: each value becomes its sum over the ranks.
    virtual void sum(std::span<float> values) = 0;
    virtual void sum(std::span<double> values) = 0;
    // Whether every rank passed the same value.
    virtual bool same_on_all_ranks(std::uint64_t value) = 0;
    // The ranks' spans concatenated in rank order: on rank 0 only (empty elsewhere), or on every rank.
    virtual std::vector<double> gather(std::span<const double> mine) = 0;
    virtual std::vector<double> all_gather(std::span<const double> mine) = 0;
    virtual void barrier() = 0;
};

class single_process final : public communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void sum(std::span<float>) override {}
    void sum(std::span<double>) override {}
    bool same_on_all_ranks(std::uint64_t) override { return true; }
    std::vector<double> gather(std::span<const double> mine) override { return {mine.begin(), mine.end()}; }
    std::vector<double> all_gather(std::span<const double> mine) override { return {mine.begin(), mine.end()}; }
    void barrier() override {}
};

// A process-wide single_process, the default of train() and score().
inline communicator& this_process_only() {
    static single_process alone;
    return alone;
}

// The contiguous share [first, first + count) of n items that `rank` of `ranks` takes: sizes differ by at most 1.
struct share {
    std::size_t first = 0, count = 0;
};
inline share share_of(std::size_t n, int rank, int ranks) {
    const std::size_t r = std::size_t(rank), p = std::size_t(ranks);
    const std::size_t first = n * r / p, last = n * (r + 1) / p;
    return {first, last - first};
}

// The processes of this command (see the header comment). Throws input_error when an MPI launcher started several
// copies of an epiann built without MPI (they would each train alone and overwrite each other's files).
communicator& world();
// After an error: ends every rank (MPI_Abort) when there are several, so none waits forever in a collective;
// returns when this is the only process.
void end_job_after_error(int exit_code);
// Whether this epiann was built with MPI.
bool built_with_mpi();

// What the environment says about an MPI launcher: whether one started this process, and how many processes it
// started (0 when it does not say).
struct launcher_info {
    bool present = false;
    std::size_t processes = 0;
};
launcher_info detect_launcher();

}  // namespace epiann
