// EPIANN's catalog entries: the paper's model and the reduced one the demo trains (train/model_variants.hpp).
#include "models/jobs.hpp"
#include "train/model_variants.hpp"

namespace epiann {

#if defined(EPIANN_WITH_CUDA)
static_assert(state_on_device<cuda_network<paper_variant::network>> && state_on_device<cuda_network<small_variant::network>>,
              "cuda_network keeps its state on the device: the trainer must take that path for it");
#endif

extern constinit const model_entry epiann_paper_model = make_entry<paper_variant>();
extern constinit const model_entry epiann_small_model = make_entry<small_variant>();

}  // namespace epiann
