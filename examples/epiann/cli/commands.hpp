// The epiann subcommands. Each lives in its own file (cli/<name>_command.cpp) and registers itself on the app:
// it adds a CLI11 subcommand whose callback does the work. Callbacks throw epiann::input_error for bad input.
#pragma once

namespace CLI {
class App;
}

namespace epiann::cli {

// void add_<name>_command(CLI::App& app);  one line per subcommand

}  // namespace epiann::cli
