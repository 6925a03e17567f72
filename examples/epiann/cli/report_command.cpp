// epiann report: one self-contained report.html from a demo or training run directory (report/report.hpp).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "common/errors.hpp"
#include "common/json_numbers.hpp"
#include "common/output_paths.hpp"
#include "report/report.hpp"

namespace epiann::cli {

void add_report_command(CLI::App& app) {
    struct options {
        std::string dir, out, audit, explain, grammar;
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("report", "One self-contained report.html (inline SVG) from a demo or run directory");
    cmd->add_option("dir", o->dir, "A demo directory (with run/, audit.json, explain/) or a training run directory")->required();
    cmd->add_option("--out", o->out, "The HTML file (default: DIR/report.html)");
    cmd->add_option("--audit", o->audit, "audit.json (default: found next to the run)");
    cmd->add_option("--explain", o->explain, "explain output directory (default: found next to the run)");
    cmd->add_option("--grammar", o->grammar, "A simulation's grammar.tsv, whose motifs are highlighted");
    cmd->callback([o] {
        report_request r = report_request_for(o->dir);
        if (!o->out.empty()) r.out = o->out;
        if (!o->audit.empty()) r.audit = o->audit;
        if (!o->explain.empty()) r.explain = o->explain;
        if (!o->grammar.empty()) r.grammar = o->grammar;
        std::vector<named_path> inputs{{"--audit", r.audit}, {"--grammar", r.grammar}};
        for (const char* name : {"log.jsonl", "run.json", "evaluation.json", "split.tsv", "model.safetensors", "state.safetensors"})
            inputs.push_back({std::string(name) + " of the run", r.run / name});
        if (!r.explain.empty())
            for (const char* name : {"summary.json", "example_pair.json", "motif_enrichment.tsv", "tf_pairs.tsv"})
                inputs.push_back({std::string(name) + " of the explain directory", r.explain / name});
        refuse_overwriting_inputs(inputs, {{"--out", r.out}});
        remove_stale_temporaries_of({{"--out", r.out}});
        report_summary summary;
        try {
            summary = write_report(r);
        } catch (const nlohmann::json::exception& e) {  // a file of the run holding JSON of another shape
            throw input_error(o->dir + ": a file of the run, audit or explain directory does not hold what epiann wrote there (" +
                              json_problem(e) + "): was it edited, or written by another version?");
        }
        std::printf("wrote %s: %zu figures\n", r.out.c_str(), summary.figures.size());
        for (const auto& m : summary.missing) std::printf("  left out: %s\n", m.c_str());
    });
}

}  // namespace epiann::cli
