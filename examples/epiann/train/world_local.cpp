// world() of an epiann built without MPI: this process alone.
#include <string>

#include "common/errors.hpp"
#include "train/distributed.hpp"

namespace epiann {

communicator& world() {
    const launcher_info launcher = detect_launcher();
    if (launcher.processes > 1)
        throw input_error("an MPI launcher started " + std::to_string(launcher.processes) +
                          " copies of an epiann built without MPI; they would each run alone and overwrite each other's "
                          "files. Rebuild with MPI (apt-get install libopenmpi-dev openmpi-bin; HELIX_ENABLE_MPI=ON) or "
                          "run one process");
    return this_process_only();
}

void end_job_after_error(int) {}

bool built_with_mpi() { return false; }

}  // namespace epiann
