// The catalog entries of models/epi_trans.hpp: the authors' sizes and the reduced one.
#include "models/epi_trans.hpp"
#include "models/jobs.hpp"

namespace epiann {

extern constinit const model_entry epi_trans_original_model = make_entry<epi_trans_original>();
extern constinit const model_entry epi_trans_reduced_model = make_entry<epi_trans_reduced>();

}  // namespace epiann
