// world() of an epiann built with MPI: every rank of the job when an MPI launcher started this process.
#include <memory>
#include <string>

#include <helix/distributed/mpi.hpp>

#include "common/errors.hpp"
#include "train/distributed.hpp"

namespace epiann {
namespace {

class mpi_world final : public communicator {
public:
    int rank() const override { return comm_.rank(); }
    int size() const override { return comm_.size(); }
    void sum(std::span<float> values) override { comm_.allreduce_sum(values); }
    void sum(std::span<double> values) override { comm_.allreduce_sum(values); }
    bool same_on_all_ranks(std::uint64_t value) override { return comm_.same_on_all_ranks(value); }
    std::vector<double> gather(std::span<const double> mine) override { return comm_.gather(mine); }
    std::vector<double> all_gather(std::span<const double> mine) override { return comm_.all_gather(mine); }
    void barrier() override { comm_.barrier(); }

private:
    helix::mpi_session session_;  // declared first: MPI is up before comm_ and finalised after it
    helix::mpi_communicator comm_;
};

std::unique_ptr<communicator> open_world() {
    const launcher_info launcher = detect_launcher();
    // Started without a launcher: no MPI_Init (an Open MPI singleton start is slow and needs a working runtime).
    if (!launcher.present) return std::make_unique<single_process>();
    auto w = std::make_unique<mpi_world>();
    if (launcher.processes > 0 && std::size_t(w->size()) != launcher.processes)
        throw input_error("the launcher started " + std::to_string(launcher.processes) + " processes but MPI sees " +
                          std::to_string(w->size()) + ": with srun, pass --mpi=pmix (or the MPI plugin your site uses)");
    return w;
}

}  // namespace

communicator& world() {
    static const std::unique_ptr<communicator> w = open_world();
    return *w;
}

void end_job_after_error(int exit_code) {
    int initialised = 0, finalised = 0;
    MPI_Initialized(&initialised);
    MPI_Finalized(&finalised);
    if (!initialised || finalised) return;
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
}

bool built_with_mpi() { return true; }

}  // namespace epiann
