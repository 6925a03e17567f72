// progress: what a long training run tells the person waiting for it, on stderr.
// On a terminal: one line redrawn in place,
//   epoch 3/40  step 120/400 [#######.............]  812 ex/s  loss 0.4123  ETA 1m20s
// Otherwise (a log file, CI): a plain line at most every `plain_interval` seconds and at the end of each epoch.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>

namespace epiann {

class progress {
public:
    // out: nullptr for silence (the ranks other than 0 of a distributed run).
    explicit progress(std::FILE* out = stderr, double plain_interval_seconds = 30);

    void start_epoch(std::size_t epoch, std::size_t epochs, std::size_t steps);
    // After each step: examples in it and its loss.
    void step(std::size_t examples, double loss);
    // Ends the epoch's line with a summary (e.g. validation figures) and the epoch's training loss (when NaN: the
    // mean of the losses given to step()).
    void end_epoch(const std::string& summary, double training_loss = NAN);

    bool on_terminal() const noexcept { return terminal_; }

private:
    void draw(bool force);
    using clock = std::chrono::steady_clock;
    std::FILE* out_;
    bool terminal_;
    double plain_interval_;
    std::size_t epoch_ = 0, epochs_ = 0, steps_ = 0, step_ = 0, examples_ = 0;
    double loss_sum_ = 0;
    clock::time_point epoch_start_, last_draw_;
};

// "1h02m", "4m05s", "12s"
std::string format_duration(double seconds);

}  // namespace epiann
