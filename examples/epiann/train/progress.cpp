#include "train/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace epiann {

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

progress::progress(std::FILE* out, double plain_interval_seconds)
    : out_(out), terminal_(out && ::isatty(::fileno(out)) == 1), plain_interval_(plain_interval_seconds) {}

void progress::start_epoch(std::size_t epoch, std::size_t epochs, std::size_t steps) {
    epoch_ = epoch;
    epochs_ = epochs;
    steps_ = steps;
    step_ = 0;
    examples_ = 0;
    loss_sum_ = 0;
    epoch_start_ = last_draw_ = clock::now();
}

void progress::step(std::size_t examples, double loss) {
    ++step_;
    examples_ += examples;
    loss_sum_ += loss;
    draw(false);
}

void progress::draw(bool force) {
    if (!out_) return;
    const auto now = clock::now();
    const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    if (!force && since_draw < (terminal_ ? 0.2 : plain_interval_)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
    const double rate = elapsed > 0 ? double(examples_) / elapsed : 0;
    const double eta = step_ > 0 ? elapsed / double(step_) * double(steps_ - std::min(step_, steps_)) : 0;
    const double loss = step_ > 0 ? loss_sum_ / double(step_) : 0;
    if (terminal_) {
        constexpr int width = 20;
        const int filled = steps_ > 0 ? int(double(width) * double(step_) / double(steps_)) : 0;
        std::fprintf(out_, "\r\033[Kepoch %zu/%zu  step %zu/%zu [%s%s]  %.0f ex/s  loss %.4f  ETA %s", epoch_, epochs_,
                     step_, steps_, std::string(std::size_t(filled), '#').c_str(),
                     std::string(std::size_t(width - filled), '.').c_str(), rate, loss, format_duration(eta).c_str());
    } else {
        std::fprintf(out_, "epoch %zu/%zu step %zu/%zu: %.0f examples/s, mean loss %.4f, epoch ETA %s\n", epoch_, epochs_,
                     step_, steps_, rate, loss, format_duration(eta).c_str());
    }
    std::fflush(out_);
}

void progress::end_epoch(const std::string& summary, double training_loss) {
    if (!out_) return;
    const double elapsed = std::chrono::duration<double>(clock::now() - epoch_start_).count();
    const double loss = !std::isnan(training_loss) ? training_loss : step_ > 0 ? loss_sum_ / double(step_) : 0;
    std::fprintf(out_, "%sepoch %zu/%zu: %zu steps in %s (%.0f examples/s), training loss %.4f%s%s\n",
                 terminal_ ? "\r\033[K" : "", epoch_, epochs_, step_, format_duration(elapsed).c_str(),
                 elapsed > 0 ? double(examples_) / elapsed : 0.0, loss, summary.empty() ? "" : ", ", summary.c_str());
    std::fflush(out_);
}

}  // namespace epiann
