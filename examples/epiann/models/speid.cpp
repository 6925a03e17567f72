// The catalog entries of models/speid.hpp: the authors' sizes and the reduced one.
#include "models/speid.hpp"
#include "models/jobs.hpp"

namespace epiann {

extern constinit const model_entry speid_original_model = make_entry<speid_original>();
extern constinit const model_entry speid_reduced_model = make_entry<speid_reduced>();

}  // namespace epiann
