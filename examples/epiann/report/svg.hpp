// Small SVG charts for the self-contained HTML report (inline SVG: no scripts, no network, no fonts to fetch).
// Each function returns one <svg> element with a <title> naming the figure (the report test looks for them).
//   line_chart   series of (x, y) points with axes, ticks and a legend (training curves, ROC, PR)
//   heatmap      a rows x cols matrix with a colour scale (attention, TF-pair enrichment)
//   bar_chart    labelled horizontal bars (motif enrichment)
//   track_view   a browser-like view: coverage tracks and labelled intervals over one region
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace epiann::svg {

struct series {
    std::string label;
    std::vector<std::pair<double, double>> points;
    std::string color;       // any CSS colour; empty picks from the palette
    bool dashed = false;
};

struct axes {
    std::string title, x_label, y_label;
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;  // x_min == x_max: fitted to the data
    bool fit = false;
};

std::string line_chart(const axes& a, const std::vector<series>& lines, int width = 480, int height = 320);

std::string heatmap(const std::string& title, const std::vector<std::vector<double>>& values,
                    const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                    const std::string& x_label, const std::string& y_label, int cell = 0);

struct bar {
    std::string label;
    double value;
    std::string note;  // shown after the bar, e.g. "p = 0.001"
    bool highlight = false;
};
std::string bar_chart(const std::string& title, const std::string& value_label, const std::vector<bar>& bars,
                      int width = 560);

struct track {
    std::string label;
    std::vector<double> values;  // one per base of the region (coverage); empty for an interval track
    struct interval {
        long long start, end;  // inside the region
        std::string label;
        std::string color;
    };
    std::vector<interval> intervals;
};
std::string track_view(const std::string& title, const std::string& region_label, long long region_length,
                       const std::vector<track>& tracks, int width = 720);

// Escapes &, <, >, " for text and attributes.
std::string escape(const std::string& text);

}  // namespace epiann::svg
