#!/usr/bin/python3
"""Fixtures for tests/metrics_test.cpp: scikit-learn's own figures for a few score sets.

Run once with Debian's scikit-learn (apt-get install python3-sklearn):
  /usr/bin/python3 tests/data/metrics/make_metrics_fixtures.py > tests/data/metrics/sklearn_metrics.tsv
Each line: case, label;score pairs (17 significant digits), roc_auc, average_precision, f1 at >= 0.5,
best f1 over distinct thresholds (computed with f1_score at every distinct score).
"""
import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

rng = np.random.default_rng(2017)
cases = {
    "separable": (np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])),
    "inverted": (np.array([1, 1, 0, 0]), np.array([0.1, 0.2, 0.8, 0.9])),
    "all_tied": (np.array([0, 1, 0, 1, 1]), np.full(5, 0.5)),
    "ties_across_classes": (np.array([0, 1, 1, 0, 1, 0, 0, 1]), np.array([0.3, 0.3, 0.7, 0.7, 0.7, 0.1, 0.9, 0.9])),
}
n = 500  # imbalanced like the benchmark (1 in 20 positive), scores rounded so ties occur
labels = (rng.random(n) < 0.05).astype(int)
scores = np.round(1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * labels))), 2)
cases["imbalanced_rounded"] = (labels, scores)
labels = (rng.random(2000) < 0.3).astype(int)
cases["continuous"] = (labels, rng.random(2000) * 0.6 + 0.4 * labels * rng.random(2000))

print(f"# scikit-learn {sklearn.__version__}")
for name, (y, s) in cases.items():
    best = max(f1_score(y, (s >= t).astype(int), zero_division=0) for t in np.unique(s))
    pairs = ";".join(f"{int(a)}:{b:.17g}" for a, b in zip(y, s))
    print(f"{name}\t{pairs}\t{roc_auc_score(y, s):.17g}\t{average_precision_score(y, s):.17g}\t"
          f"{f1_score(y, (s >= 0.5).astype(int), zero_division=0):.17g}\t{best:.17g}")
