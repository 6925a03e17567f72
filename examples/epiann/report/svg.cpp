#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace epiann::svg {
namespace {

const char* const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f"};

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string tick_label(double v) {
    char buf[32];
    if (std::abs(v) >= 1000 || (std::abs(v) < 0.01 && v != 0))
        std::snprintf(buf, sizeof buf, "%.3g", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}

std::string open_svg(int width, int height, const std::string& title) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
           std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
           "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\"><title>" + escape(title) + "</title>";
}

std::string text(double x, double y, const std::string& s, const std::string& extra = "") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + extra + ">" + escape(s) + "</text>";
}

// "Nice" tick positions covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int target = 5) {
    const double span = hi - lo;
    if (!(span > 0)) return {lo};
    const double raw = span / target, magnitude = std::pow(10, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * magnitude) {
            step = m * magnitude;
            break;
        }
    std::vector<double> out;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(std::abs(t) < step * 1e-9 ? 0 : t);
    return out;
}

// Blue (low) to white to red (high) for values in [0, 1].
std::string diverging(double t) {
    t = std::clamp(t, 0.0, 1.0);
    int r, g, b;
    if (t < 0.5) {
        const double u = t / 0.5;
        r = int(33 + u * (255 - 33)), g = int(102 + u * (255 - 102)), b = int(172 + u * (255 - 172));
    } else {
        const double u = (t - 0.5) / 0.5;
        r = int(255 - u * (255 - 178)), g = int(255 - u * 255), b = int(255 - u * (255 - 24));
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return buf;
}

}  // namespace

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string line_chart(const axes& a_in, const std::vector<series>& lines, int width, int height) {
    axes a = a_in;
    if (a.fit) {
        a.x_min = a.y_min = std::numeric_limits<double>::infinity();
        a.x_max = a.y_max = -std::numeric_limits<double>::infinity();
        for (const auto& s : lines)
            for (const auto& [x, y] : s.points) {
                if (!std::isfinite(x) || !std::isfinite(y)) continue;
                a.x_min = std::min(a.x_min, x), a.x_max = std::max(a.x_max, x);
                a.y_min = std::min(a.y_min, y), a.y_max = std::max(a.y_max, y);
            }
        if (!std::isfinite(a.x_min)) a.x_min = 0, a.x_max = 1, a.y_min = 0, a.y_max = 1;
        if (a.x_max == a.x_min) a.x_max = a.x_min + 1;
        const double pad = (a.y_max - a.y_min) * 0.05 + 1e-9;
        a.y_min -= pad, a.y_max += pad;
    }
    const double left = 56, right = 12, top = 28, bottom = 44;
    const double pw = width - left - right, ph = height - top - bottom;
    auto X = [&](double x) { return left + (x - a.x_min) / (a.x_max - a.x_min) * pw; };
    auto Y = [&](double y) { return top + (1 - (y - a.y_min) / (a.y_max - a.y_min)) * ph; };
    std::string out = open_svg(width, height, a.title);
    out += text(width / 2.0, 16, a.title, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"");
    out += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
           "\" fill=\"none\" stroke=\"#444\"/>";
    for (double t : ticks(a.x_min, a.x_max)) {
        out += "<line x1=\"" + num(X(t)) + "\" y1=\"" + num(top + ph) + "\" x2=\"" + num(X(t)) + "\" y2=\"" + num(top + ph + 4) + "\" stroke=\"#444\"/>";
        out += text(X(t), top + ph + 15, tick_label(t), "text-anchor=\"middle\"");
    }
    for (double t : ticks(a.y_min, a.y_max)) {
        out += "<line x1=\"" + num(left - 4) + "\" y1=\"" + num(Y(t)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(Y(t)) + "\" stroke=\"#ddd\"/>";
        out += text(left - 6, Y(t) + 4, tick_label(t), "text-anchor=\"end\"");
    }
    out += text(left + pw / 2, height - 8, a.x_label, "text-anchor=\"middle\"");
    out += text(14, top + ph / 2, a.y_label, "text-anchor=\"middle\" transform=\"rotate(-90 14 " + num(top + ph / 2) + ")\"");
    int k = 0;
    double legend_y = top + 14;
    for (const auto& s : lines) {
        const std::string color = s.color.empty() ? palette[k % 8] : s.color;
        ++k;
        std::string path;
        for (const auto& [x, y] : s.points) {
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            path += (path.empty() ? "M" : " L") + num(X(x)) + " " + num(Y(y));
        }
        if (!path.empty())
            out += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.8\"" +
                   (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
        if (!s.label.empty()) {
            out += "<line x1=\"" + num(left + pw - 150) + "\" y1=\"" + num(legend_y - 4) + "\" x2=\"" + num(left + pw - 132) +
                   "\" y2=\"" + num(legend_y - 4) + "\" stroke=\"" + color + "\" stroke-width=\"2\"" +
                   (s.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>";
            out += text(left + pw - 128, legend_y, s.label);
            legend_y += 14;
        }
    }
    return out + "</svg>";
}

std::string heatmap(const std::string& title, const std::vector<std::vector<double>>& values,
                    const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                    const std::string& x_label, const std::string& y_label, int cell) {
    const std::size_t rows = values.size(), cols = rows ? values[0].size() : 0;
    if (cell <= 0) cell = int(std::clamp(560.0 / double(std::max<std::size_t>(cols, 1)), 3.0, 28.0));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& r : values)
        for (double v : r)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(hi > lo)) hi = lo + 1;
    const double left = row_labels.empty() ? 40 : 90, top = 30, label_space = col_labels.empty() ? 30 : 80;
    const int width = int(left + double(cols * std::size_t(cell)) + 90), height = int(top + double(rows * std::size_t(cell)) + label_space);
    std::string out = open_svg(width, height, title);
    out += text(width / 2.0, 16, title, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"");
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) {
            const double v = values[r][c];
            out += "<rect x=\"" + num(left + double(c * std::size_t(cell))) + "\" y=\"" + num(top + double(r * std::size_t(cell))) +
                   "\" width=\"" + std::to_string(cell) + "\" height=\"" + std::to_string(cell) + "\" fill=\"" +
                   (std::isfinite(v) ? diverging((v - lo) / (hi - lo)) : std::string("#eeeeee")) + "\"/>";
        }
    for (std::size_t r = 0; r < row_labels.size() && r < rows; ++r)
        out += text(left - 4, top + (double(r) + 0.7) * cell, row_labels[r], "text-anchor=\"end\"");
    for (std::size_t c = 0; c < col_labels.size() && c < cols; ++c) {
        const double x = left + (double(c) + 0.6) * cell, y = top + double(rows * std::size_t(cell)) + 6;
        out += text(x, y, col_labels[c], "text-anchor=\"end\" transform=\"rotate(-60 " + num(x) + " " + num(y) + ")\"");
    }
    out += text(left + double(cols * std::size_t(cell)) / 2, height - 4, x_label, "text-anchor=\"middle\"");
    out += text(12, top + double(rows * std::size_t(cell)) / 2, y_label,
                "text-anchor=\"middle\" transform=\"rotate(-90 12 " + num(top + double(rows * std::size_t(cell)) / 2) + ")\"");
    // Colour scale.
    const double sx = left + double(cols * std::size_t(cell)) + 20;
    for (int i = 0; i < 20; ++i)
        out += "<rect x=\"" + num(sx) + "\" y=\"" + num(top + i * 6) + "\" width=\"14\" height=\"6\" fill=\"" + diverging(1 - i / 19.0) + "\"/>";
    out += text(sx + 18, top + 8, tick_label(hi)) + text(sx + 18, top + 120, tick_label(lo));
    return out + "</svg>";
}

std::string bar_chart(const std::string& title, const std::string& value_label, const std::vector<bar>& bars, int width) {
    const double left = 150, top = 30, row = 18, right = 150;
    const int height = int(top + row * double(bars.size()) + 36);
    double hi = 0;
    for (const auto& b : bars) hi = std::max(hi, b.value);
    if (!(hi > 0)) hi = 1;
    const double pw = width - left - right;
    std::string out = open_svg(width, height, title);
    out += text(width / 2.0, 16, title, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"");
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double y = top + row * double(i), w = std::max(0.0, b.value) / hi * pw;
        out += text(left - 6, y + 12, b.label, std::string("text-anchor=\"end\"") + (b.highlight ? " font-weight=\"bold\"" : ""));
        out += "<rect x=\"" + num(left) + "\" y=\"" + num(y + 2) + "\" width=\"" + num(w) + "\" height=\"" + num(row - 5) +
               "\" fill=\"" + (b.highlight ? "#d62728" : "#1f77b4") + "\"/>";
        out += text(left + w + 4, y + 12, b.note);
    }
    out += text(left + pw / 2, height - 8, value_label, "text-anchor=\"middle\"");
    return out + "</svg>";
}

std::string track_view(const std::string& title, const std::string& region_label, long long region_length,
                       const std::vector<track>& tracks, int width) {
    const double left = 110, right = 10, top = 30, coverage_height = 50, interval_height = 22;
    double height = top + 30;
    for (const auto& t : tracks) height += t.values.empty() ? interval_height : coverage_height + 8;
    const double pw = width - left - right;
    auto X = [&](double base) { return left + base / double(std::max<long long>(region_length, 1)) * pw; };
    std::string out = open_svg(width, int(height), title);
    out += text(width / 2.0, 16, title, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"");
    double y = top;
    for (const auto& t : tracks) {
        out += text(left - 6, y + (t.values.empty() ? 14 : coverage_height / 2 + 4), t.label, "text-anchor=\"end\"");
        if (!t.values.empty()) {
            double hi = 0;
            for (double v : t.values) hi = std::max(hi, v);
            if (!(hi > 0)) hi = 1;
            std::string path = "M" + num(X(0)) + " " + num(y + coverage_height);
            for (std::size_t b = 0; b < t.values.size(); ++b)
                path += " L" + num(X(double(b))) + " " + num(y + coverage_height * (1 - t.values[b] / hi));
            path += " L" + num(X(double(t.values.size()))) + " " + num(y + coverage_height) + " Z";
            out += "<path d=\"" + path + "\" fill=\"#9ecae1\" stroke=\"#3182bd\" stroke-width=\"0.6\"/>";
            y += coverage_height + 8;
        } else {
            for (const auto& iv : t.intervals) {
                const std::string color = iv.color.empty() ? "#2ca02c" : iv.color;
                out += "<rect x=\"" + num(X(double(iv.start))) + "\" y=\"" + num(y + 3) + "\" width=\"" +
                       num(std::max(1.5, X(double(iv.end)) - X(double(iv.start)))) + "\" height=\"10\" fill=\"" + color +
                       "\"><title>" + escape(iv.label) + "</title></rect>";
                if (!iv.label.empty()) out += text(X(double(iv.start)), y + 21, iv.label, "font-size=\"9\"");
            }
            y += interval_height;
        }
    }
    out += "<line x1=\"" + num(left) + "\" y1=\"" + num(y + 4) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(y + 4) + "\" stroke=\"#444\"/>";
    out += text(left, y + 18, "0") + text(left + pw, y + 18, std::to_string(region_length) + " bp", "text-anchor=\"end\"");
    out += text(left + pw / 2, y + 18, region_label, "text-anchor=\"middle\"");
    return out + "</svg>";
}

}  // namespace epiann::svg
