// epiann report: one self-contained report.html (inline SVG and CSS; no script, font or network access) from what
// train, evaluate, audit and explain wrote:
//   run/log.jsonl, run/run.json, run/evaluation.json  training curves, test metrics, the model's ROC and PR curves
//   audit.json                                        leak canaries and the marginal-motif baseline with their curves
//   explain/summary.json, motif_enrichment.tsv,       grammar recovery, open chromatin, motif and TF-pair enrichment
//   tf_pairs.tsv, example_pair.json                   an example pair's attention matrix and browser-like tracks
// A section whose files are missing says so instead of failing, so a report can be made from any stage onwards.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace epiann {

struct report_request {
    std::filesystem::path run;          // the training run (log.jsonl, run.json, evaluation.json)
    std::filesystem::path audit;        // audit.json; empty: none
    std::filesystem::path explain;      // explain output directory; empty: none
    std::filesystem::path methods;      // an explain directory comparing attribution methods (the demo's methods/);
                                        // empty: explain's own methods
    std::filesystem::path grammar;      // a simulation's grammar.tsv: its motifs are highlighted; empty: none
    std::filesystem::path out;          // report.html
};

// The request for a demo directory (DIR/run, DIR/audit.json, DIR/explain, DIR/methods, DIR/data/grammar.tsv) or a run
// directory (DIR/log.jsonl), with the report written to DIR/report.html.
report_request report_request_for(const std::filesystem::path& dir);

struct report_summary {
    std::vector<std::string> figures;  // the title of every figure drawn
    std::vector<std::string> missing;  // sections left out, with the file they need
};

report_summary write_report(const report_request& request);

// "EGR1 - CTCF (MA0162.4 - MA0139.1)" for an entry of explain's summary.json recovery.planted_pairs (the ids alone
// in summaries written before the TF names were added).
std::string planted_pair_label(const nlohmann::json& planted_pair);

}  // namespace epiann
