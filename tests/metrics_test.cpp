// epiann's classification metrics against scikit-learn's figures for the same scores
// (tests/data/metrics/sklearn_metrics.tsv, made by make_metrics_fixtures.py in that folder).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "evaluate/metrics.hpp"

namespace {

struct fixture_case {
    std::string name;
    std::vector<int> labels;
    std::vector<double> scores;
    double auroc, average_precision, f1_at_half, best_f1;
};

std::vector<fixture_case> read_fixtures() {
    std::ifstream in(HELIX_TEST_DATA_DIR "/metrics/sklearn_metrics.tsv");
    REQUIRE(in);
    std::vector<fixture_case> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        fixture_case c;
        std::string pairs;
        std::getline(fields, c.name, '\t');
        std::getline(fields, pairs, '\t');
        fields >> c.auroc >> c.average_precision >> c.f1_at_half >> c.best_f1;
        std::istringstream items(pairs);
        std::string item;
        while (std::getline(items, item, ';')) {
            const auto colon = item.find(':');
            c.labels.push_back(std::stoi(item.substr(0, colon)));
            c.scores.push_back(std::stod(item.substr(colon + 1)));
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace

TEST_CASE("AUROC, average precision and F1 agree with scikit-learn to 1e-9") {
    const auto cases = read_fixtures();
    REQUIRE(cases.size() == 6);
    double worst = 0;
    for (const auto& c : cases) {
        INFO("case " << c.name << " (" << c.scores.size() << " scores)");
        const auto r = epiann::classify(c.scores, c.labels);
        CHECK(r.auroc == Approx(c.auroc).margin(1e-9).epsilon(0));
        CHECK(r.aupr == Approx(c.average_precision).margin(1e-9).epsilon(0));
        CHECK(r.f1_at_half == Approx(c.f1_at_half).margin(1e-9).epsilon(0));
        CHECK(r.best.f1 == Approx(c.best_f1).margin(1e-9).epsilon(0));
        CHECK(epiann::f1_at(c.scores, c.labels, r.best.threshold) == Approx(r.best.f1).margin(1e-12));
        for (double d : {r.auroc - c.auroc, r.aupr - c.average_precision, r.f1_at_half - c.f1_at_half,
                         r.best.f1 - c.best_f1})
            worst = std::max(worst, std::abs(d));
    }
    INFO("worst difference from scikit-learn: " << worst);
    CHECK(worst < 1e-9);
}

TEST_CASE("metrics on degenerate input") {
    const std::vector<double> scores{0.2, 0.4};
    CHECK(std::isnan(epiann::auroc(scores, std::vector<int>{1, 1})));  // one class: undefined, as in sklearn
    CHECK(std::isnan(epiann::average_precision(scores, std::vector<int>{0, 0})));
    CHECK_THROWS_WITH(epiann::auroc(scores, std::vector<int>{0, 2}), Catch::Contains("expected 0 or 1"));
    CHECK_THROWS_WITH(epiann::auroc(scores, std::vector<int>{0}), Catch::Contains("2 scores but 1 labels"));
}

TEST_CASE("ROC and precision-recall curve points; the ROC curve's area is the AUROC") {
    const std::vector<double> scores{0.9, 0.8, 0.7, 0.6};
    const std::vector<int> labels{1, 0, 1, 0};
    const auto roc = epiann::roc_curve(scores, labels);
    const std::vector<std::pair<double, double>> roc_want{{0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}};
    REQUIRE(roc.size() == roc_want.size());
    for (std::size_t k = 0; k < roc.size(); ++k) {
        CHECK(roc[k].x == roc_want[k].first);
        CHECK(roc[k].y == roc_want[k].second);
    }
    const auto pr = epiann::pr_curve(scores, labels);
    const std::vector<std::pair<double, double>> pr_want{{0.5, 1}, {0.5, 0.5}, {1, 2.0 / 3}, {1, 0.5}};
    REQUIRE(pr.size() == pr_want.size());
    for (std::size_t k = 0; k < pr.size(); ++k) {
        CHECK(pr[k].x == pr_want[k].first);
        CHECK(pr[k].y == Approx(pr_want[k].second).epsilon(1e-12));
    }
    CHECK(epiann::roc_curve(scores, std::vector<int>{1, 1, 1, 1}).empty());
    for (const auto& c : read_fixtures()) {
        const auto points = epiann::roc_curve(c.scores, c.labels, c.scores.size() + 1);
        if (points.empty()) continue;
        double area = 0;
        for (std::size_t k = 1; k < points.size(); ++k)
            area += (points[k].x - points[k - 1].x) * (points[k].y + points[k - 1].y) / 2;
        INFO(c.name);
        CHECK(std::abs(area - c.auroc) < 1e-12);
        const auto thinned = epiann::roc_curve(c.scores, c.labels, 10);
        CHECK(thinned.size() <= 10);
        CHECK(thinned.front().x == 0);
        CHECK(thinned.back().y == 1);
    }
}
