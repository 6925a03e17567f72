#include "models/catalog.hpp"

#include "common/errors.hpp"

namespace epiann {

// Defined in each model's translation unit (models/<name>.cpp).
extern const model_entry epiann_paper_model, epiann_small_model, speid_original_model, speid_reduced_model,
    epivan_original_model, epivan_reduced_model, epi_dlmh_original_model, epi_dlmh_reduced_model, epi_mind_original_model,
    epi_mind_reduced_model, epi_trans_original_model, epi_trans_reduced_model;

const std::vector<const model_entry*>& all_models() {
    static const std::vector<const model_entry*> models = {
        &epiann_paper_model,    &epiann_small_model,      &speid_original_model,    &speid_reduced_model,
        &epivan_original_model, &epivan_reduced_model,    &epi_dlmh_original_model, &epi_dlmh_reduced_model,
        &epi_mind_original_model, &epi_mind_reduced_model, &epi_trans_original_model, &epi_trans_reduced_model};
    return models;
}

std::string model_names() {
    std::string names;
    for (const model_entry* m : all_models()) names += (names.empty() ? "" : ", ") + std::string(m->name);
    return names;
}

const model_entry& find_model(std::string_view name) {
    if (name == "epiann") name = "paper";
    if (name == "epiann-small") name = "small";
    for (const model_entry* m : all_models())
        if (name == m->name) return *m;
    throw input_error("unknown model \"" + std::string(name) + "\": expected one of " + model_names());
}

nlohmann::json model_entry::describe() const {
    return {{"name", name},
            {"architecture", architecture},
            {"size", size},
            {"enhancer_window", enhancer_window},
            {"promoter_window", promoter_window}};
}

}  // namespace epiann
