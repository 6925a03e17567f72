// SVG charts of the report (examples/epiann/report/svg.hpp): titled, well-formed (tags balanced), escaped, and
// free of NaN coordinates even when data has gaps.
#include <catch2/catch.hpp>

#include <cmath>
#include <regex>
#include <stack>

#include "report/svg.hpp"

namespace {

// Balanced tags, ignoring self-closing ones; returns the first problem or "".
std::string check_xml(const std::string& s) {
    std::stack<std::string> open;
    const std::regex tag(R"(<(/?)([a-zA-Z]+)[^>]*?(/?)>)");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), tag); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        if (m[3] == "/") continue;
        if (m[1] == "/") {
            if (open.empty() || open.top() != m[2]) return "unexpected </" + m[2].str() + ">";
            open.pop();
        } else {
            open.push(m[2]);
        }
    }
    return open.empty() ? "" : "unclosed <" + open.top() + ">";
}

}  // namespace

TEST_CASE("charts are titled, well-formed and escaped") {
    using namespace epiann::svg;
    const auto roc = line_chart({"ROC <test> & co", "false positive rate", "true positive rate"},
                                {{"model", {{0, 0}, {0.1, 0.8}, {1, 1}}, "", false},
                                 {"chance", {{0, 0}, {1, 1}}, "#999", true},
                                 {"gaps", {{0.5, NAN}, {0.6, 0.7}}, "", false}});
    CHECK(roc.find("<title>ROC &lt;test&gt; &amp; co</title>") != std::string::npos);
    CHECK(check_xml(roc) == "");
    CHECK(roc.find("nan") == std::string::npos);

    axes fitted{"loss", "epoch", "loss"};
    fitted.fit = true;
    const auto curve = line_chart(fitted, {{"train", {{1, 0.9}, {2, 0.5}, {3, 0.4}}, "", false}});
    CHECK(check_xml(curve) == "");

    const auto h = heatmap("attention", {{0.1, 0.5}, {0.9, NAN}}, {"e1", "e2"}, {"p1", "p2"}, "promoter bin", "enhancer bin");
    CHECK(check_xml(h) == "");
    CHECK(h.find("#eeeeee") != std::string::npos);  // the NaN cell is grey

    const auto b = bar_chart("enrichment", "fold", {{"CTCF", 3.2, "p = 0.001", true}, {"EGR1", 1.1, "", false}});
    CHECK(check_xml(b) == "");
    const auto t = track_view("tracks", "chr1:100-400", 300,
                              {{"attention", std::vector<double>(300, 0.5), {}}, {"sites", {}, {{10, 20, "CTCF", ""}}}});
    CHECK(check_xml(t) == "");
    CHECK(t.find("<title>CTCF</title>") != std::string::npos);
}
