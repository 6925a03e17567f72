// Range checks for the numeric options of the epiann commands: a value outside its range is refused by the parser
// (exit code 2) with a message naming the option, the value and the range, before any file is read.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

namespace epiann::cli {

// A finite number in [low, high] (or (low, high] / [low, high) when an end is open). `range` describes it in words.
inline CLI::Validator number_in(double low, double high, const std::string& range, bool low_open = false, bool high_open = false) {
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            const bool inside = !text.empty() && end == text.c_str() + text.size() && std::isfinite(v) &&
                                (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
            return inside ? std::string() : "expected " + range + ", got " + text;
        },
        range);
}

// A whole number of at least `low` that fits 64 bits (counts of epochs, pairs, batches; seeds; window lengths).
inline CLI::Validator count_from(std::uint64_t low) {
    const std::string range = "a whole number >= " + std::to_string(low);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            std::uint64_t v = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            const bool ok = !text.empty() && ec == std::errc{} && end == text.data() + text.size() && v >= low;
            return ok ? std::string() : "expected " + range + (ec == std::errc::result_out_of_range ? " below 2^64" : "") + ", got " + text;
        },
        range);
}

// Threads: 0 (every core) up to four per core; more only slows a run down, and very many exhaust the stack space.
inline int most_threads() {
    const unsigned cores = std::thread::hardware_concurrency();
    return 4 * int(cores == 0 ? 1 : cores);
}
inline CLI::Option* add_threads_option(CLI::App* cmd, int& threads) {
    return cmd->add_option("--threads", threads, "Threads (0: all cores)")
        ->check(number_in(0, most_threads(), "0 (all cores) to " + std::to_string(most_threads()) + " (4 per core)"));
}

}  // namespace epiann::cli
