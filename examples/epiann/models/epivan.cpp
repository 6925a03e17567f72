// The catalog entries of models/epivan.hpp: the authors' sizes and the reduced one.
#include "models/epivan.hpp"
#include "models/jobs.hpp"

namespace epiann {

extern constinit const model_entry epivan_original_model = make_entry<epivan_original>();
extern constinit const model_entry epivan_reduced_model = make_entry<epivan_reduced>();

}  // namespace epiann
