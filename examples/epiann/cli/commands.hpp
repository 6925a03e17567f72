// The epiann subcommands. Each lives in its own file (cli/<name>_command.cpp) and registers itself on the app:
// it adds a CLI11 subcommand whose callback does the work. Callbacks throw epiann::input_error for bad input.
#pragma once

namespace CLI {
class App;
}

namespace epiann::cli {

void add_train_command(CLI::App& app);     // epiann train: the paper's recipe, validation-based selection
void add_evaluate_command(CLI::App& app);  // epiann evaluate: metrics on a split's test set
void add_predict_command(CLI::App& app);   // epiann predict: a probability per pair, TSV, BEDPE, interact
void add_audit_command(CLI::App& app);     // epiann audit: leak canaries and the marginal-motif baseline
void add_models_command(CLI::App& app);    // epiann models: the models train --model takes
void add_compare_command(CLI::App& app);   // epiann compare: several models on equal terms, one table
void add_demo_command(CLI::App& app);      // epiann demo: simulate, train, evaluate, audit, explain, report
void add_explain_command(CLI::App& app);   // epiann explain: attention tracks, motif and TF-pair enrichment
void add_report_command(CLI::App& app);    // epiann report: report.html with every figure, inline SVG
void add_simulate_command(CLI::App& app);  // epiann simulate: the generated benchmark with a known grammar
void add_windows_command(CLI::App& app);   // epiann windows: the windows of a pair file, as TSV

}  // namespace epiann::cli
