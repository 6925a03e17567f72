// compare(actual, expected, tolerance): element-wise closeness with a report of the worst element.
// An element passes when |actual - expected| <= atol + rtol * |expected|; `worst` is the element with the
// largest ratio of its difference to what it was allowed, so the message names the one that matters.
// NaN anywhere fails, and is reported as the worst element.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <span>
#include <string>

namespace helix::testing {

struct tolerance {
    double rtol = 1e-5;
    double atol = 1e-8;
};

struct comparison {
    bool ok = true;
    std::string what;
    std::size_t count = 0;
    std::size_t worst_index = 0;
    double worst_actual = 0, worst_expected = 0;
    double worst_ratio = 0;     // |diff| / (atol + rtol * |expected|); <= 1 passes
    double max_abs_error = 0;
    double max_rel_error = 0;   // |diff| / |expected| over elements with expected != 0
    tolerance tol;

    std::string message() const {
        char buf[512];
        if (count == 0) return what + ": sizes differ or nothing to compare";
        std::snprintf(buf, sizeof buf,
                      "%s: %s over %zu elements; worst element %zu: got %.9g, expected %.9g (|diff| %.3g, "
                      "%.3g of the allowed atol %.1g + rtol %.1g * |expected|); max abs error %.3g, max rel error %.3g",
                      what.c_str(), ok ? "agrees" : "DIFFERS", count, worst_index, worst_actual, worst_expected,
                      std::abs(worst_actual - worst_expected), worst_ratio, tol.atol, tol.rtol, max_abs_error,
                      max_rel_error);
        return buf;
    }
};

template <class A, class E>
comparison compare(std::span<A> actual, std::span<E> expected, tolerance tol = {}, std::string what = "values") {
    comparison r;
    r.what = std::move(what);
    r.tol = tol;
    if (actual.size() != expected.size()) {
        r.ok = false;
        r.what += " (actual has " + std::to_string(actual.size()) + " elements, expected " +
                  std::to_string(expected.size()) + ")";
        return r;
    }
    r.count = actual.size();
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const double a = double(actual[i]), e = double(expected[i]);
        const double diff = std::abs(a - e);
        const double allowed = tol.atol + tol.rtol * std::abs(e);
        double ratio = diff == 0 ? 0.0 : allowed > 0 ? diff / allowed : std::numeric_limits<double>::infinity();
        if (std::isnan(a) || std::isnan(e)) ratio = std::numeric_limits<double>::infinity();
        if (diff > r.max_abs_error || std::isnan(diff)) r.max_abs_error = diff;
        if (e != 0 && diff / std::abs(e) > r.max_rel_error) r.max_rel_error = diff / std::abs(e);
        if (i == 0 || ratio > r.worst_ratio) {
            r.worst_ratio = ratio;
            r.worst_index = i;
            r.worst_actual = a;
            r.worst_expected = e;
        }
    }
    r.ok = r.worst_ratio <= 1.0;
    return r;
}

template <class A, class E>
comparison compare(const A* actual, const E* expected, std::size_t n, tolerance tol = {}, std::string what = "values") {
    return compare(std::span<const A>(actual, n), std::span<const E>(expected, n), tol, std::move(what));
}

}  // namespace helix::testing
