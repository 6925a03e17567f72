// The catalog entries of models/epi_dlmh.hpp: the authors' sizes and the reduced one.
#include "models/epi_dlmh.hpp"
#include "models/jobs.hpp"

namespace epiann {

extern constinit const model_entry epi_dlmh_original_model = make_entry<epi_dlmh_original>();
extern constinit const model_entry epi_dlmh_reduced_model = make_entry<epi_dlmh_reduced>();

}  // namespace epiann
