#include "train/distributed.hpp"

#include <cstdlib>
#include <string>

namespace epiann {

launcher_info detect_launcher() {
    // Open MPI's mpirun, PMI (MPICH, Intel MPI, srun --mpi=pmi2) and PMIx (srun --mpi=pmix) each mark their
    // processes; only some say how many there are.
    launcher_info info;
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(name)) info.present = true;
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) {
        const char* value = std::getenv(name);
        if (info.present && value && info.processes == 0) info.processes = std::size_t(std::strtoull(value, nullptr, 10));
    }
    return info;
}

}  // namespace epiann
