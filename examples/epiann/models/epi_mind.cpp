// The catalog entries of models/epi_mind.hpp: the authors' sizes and the reduced one.
#include "models/epi_mind.hpp"
#include "models/jobs.hpp"

namespace epiann {

extern constinit const model_entry epi_mind_original_model = make_entry<epi_mind_original>();
extern constinit const model_entry epi_mind_reduced_model = make_entry<epi_mind_reduced>();

}  // namespace epiann
