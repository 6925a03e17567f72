// epiann: enhancer-promoter interaction prediction from DNA. See docs/05-epiann.md.
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>

#include <CLI/CLI.hpp>

#include <helix/core/error.hpp>
#include <helix/io/atomic_file.hpp>

#include "cli/commands.hpp"
#include "common/errors.hpp"
#include "train/distributed.hpp"

namespace {

// SIGINT, SIGTERM, SIGHUP, SIGPIPE (`epiann ... | head`): remove this process's unfinished output files and the
// output directories it made that are still empty, then end as the signal would have.
extern "C" void on_termination(int signal) {
    helix::remove_temporaries_now();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

}  // namespace

int main(int argc, char** argv) {
    for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) std::signal(signal, on_termination);
    CLI::App app{"epiann: predict enhancer-promoter interactions from DNA with an attention network (EPIANN)"};
    app.require_subcommand(1);
    epiann::cli::add_demo_command(app);
    epiann::cli::add_simulate_command(app);
    epiann::cli::add_models_command(app);
    epiann::cli::add_train_command(app);
    epiann::cli::add_evaluate_command(app);
    epiann::cli::add_predict_command(app);
    epiann::cli::add_audit_command(app);
    epiann::cli::add_compare_command(app);
    epiann::cli::add_explain_command(app);
    epiann::cli::add_report_command(app);
    epiann::cli::add_windows_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : epiann::exit_bad_input;
    } catch (const epiann::input_error& e) {
        std::fprintf(stderr, "epiann: error: %s\n", e.what());
        epiann::end_job_after_error(epiann::exit_bad_input);  // other ranks may wait in a collective
        return epiann::exit_bad_input;
    } catch (const helix::io_error& e) {  // an output that cannot be written (no such directory, disk full)
        std::fprintf(stderr, "epiann: error: %s\n", e.what());
        epiann::end_job_after_error(epiann::exit_bad_input);
        return epiann::exit_bad_input;
    } catch (const std::filesystem::filesystem_error& e) {  // a directory that cannot be made or read
        std::fprintf(stderr, "epiann: error: %s: %s\n", e.path1().c_str(), e.code().message().c_str());
        epiann::end_job_after_error(epiann::exit_bad_input);
        return epiann::exit_bad_input;
    } catch (const epiann::training_diverged& e) {
        std::fprintf(stderr, "epiann: error: %s\n", e.what());
        epiann::end_job_after_error(epiann::exit_diverged);
        return epiann::exit_diverged;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "epiann: internal error: %s\n", e.what());
        epiann::end_job_after_error(1);
        return 1;
    }
    return 0;
}
