// ROC and precision-recall curves in JSON files (evaluation.json, audit.json): [[x, y], ...], 4 decimals.
#pragma once

#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "evaluate/metrics.hpp"

namespace epiann {

inline nlohmann::json curve_json(const std::vector<plot_point>& points) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : points) j.push_back({std::round(p.x * 1e4) / 1e4, std::round(p.y * 1e4) / 1e4});
    return j;
}

inline std::vector<plot_point> curve_from_json(const nlohmann::json& j) {
    std::vector<plot_point> points;
    if (!j.is_array()) return points;
    for (const auto& p : j) points.push_back({p.at(0).get<double>(), p.at(1).get<double>()});
    return points;
}

}  // namespace epiann
