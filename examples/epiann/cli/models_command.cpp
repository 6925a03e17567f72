// epiann models: the models `train --model` takes, with their sizes (models/catalog.hpp).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "models/catalog.hpp"

namespace epiann::cli {

void add_models_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("models", "List the models train --model takes: architecture, size, windows, parameters");
    cmd->callback([] {
        std::printf("%-16s %-10s %-9s %-11s %12s  %s\n", "name", "model", "size", "windows", "parameters", "composition");
        for (const model_entry* m : all_models())
            std::printf("%-16s %-10s %-9s %4zu / %-4zu %12zu  %s%s\n", m->name, m->architecture, m->size, m->enhancer_window,
                        m->promoter_window, m->parameters(), m->summary, m->attention[0] ? "" : " (no attention)");
    });
}

}  // namespace epiann::cli
