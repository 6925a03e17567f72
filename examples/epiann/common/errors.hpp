// Errors of the epiann application. Bad input (a file that cannot be read or parsed, an option with an impossible
// value) is an input_error: its message names the file, the line when there is one, and what was expected; the
// CLI prints it and exits with code 2, as for an output it cannot write (helix::io_error). Anything else that
// escapes is a bug and exits with code 1.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace epiann {

class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "path:line: message" (line 0 means the file as a whole: "path: message").
inline input_error input_error_at(const std::string& path, std::size_t line, const std::string& message) {
    return input_error(line == 0 ? path + ": " + message : path + ":" + std::to_string(line) + ": " + message);
}

// Text from a file, quoted for a message and cut when long: a 10 MB field must not become a 10 MB message.
inline std::string shown(std::string_view text, std::size_t most = 60) {
    if (text.size() <= most) return "\"" + std::string(text) + "\"";
    return "\"" + std::string(text.substr(0, most)) + "...\" (" + std::to_string(text.size()) + " characters)";
}

// Training produced a non-finite loss, gradient or weight (train/trainer.hpp): the message names the epoch, the step
// and the value; the run's files still hold the last completed epoch. The CLI exits with code 3.
class training_diverged : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr int exit_bad_input = 2;
inline constexpr int exit_diverged = 3;

}  // namespace epiann
