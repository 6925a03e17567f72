// The audit: leak canaries (audit/canaries.hpp) and, when a genome is given, the marginal-motif baseline
// (audit/motif_baseline.hpp), under each requested split, on the split's test pairs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evaluate/metrics.hpp"
#include "pipeline/dataset.hpp"

namespace epiann {

struct audit_request {
    std::string pairs, genome, motifs, baseline_motifs;  // baseline_motifs: a grammar.tsv or motif list; empty: all
    std::vector<split_request> splits;
    long long enhancer_window = 3000, promoter_window = 2000;
    double p_value = 1e-4;
};

struct audit_row {
    std::string split, predictor;
    classification_report report;
    std::vector<plot_point> roc, pr;  // thinned curves on the test pairs (for the report)
};

struct audit_result {
    std::vector<audit_row> rows;
    nlohmann::json to_json() const;
    std::string table() const;  // plain text, one line per (split, predictor)
};

audit_result run_audit(const audit_request& request);

}  // namespace epiann
