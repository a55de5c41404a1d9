#!/usr/bin/env python3
"""Reference values for the Analysis library's statistics, computed with SciPy.

Prints one JSON object: each case carries its inputs and the reference output, and
Tests/AnalysisTests/SciPyReferenceTests.swift recomputes every case in Swift and compares.
Exits non-zero when SciPy is missing, so the test fails instead of skipping.

Where SciPy has no function (Newcombe's interval, Holm, Hedges' g) the reference is the
published formula written here independently, on top of SciPy's primitives.
"""

import itertools
import json
import math
import sys

try:
    import numpy as np
    from scipy import stats
    from scipy.special import gammaln
except ImportError as e:
    sys.exit(f"stats_reference: SciPy is required ({e}); make setup installs it")


def wilson(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(ci.low), float(ci.high)]


def newcombe(k1, n1, k2, n2):
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    return [d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)]


def abs_mean_diff(x, y, axis=-1):
    return np.abs(np.mean(x, axis=axis) - np.mean(y, axis=axis))


def abs_mean_paired(x, y, axis=-1):
    return np.abs(np.mean(x - y, axis=axis))


def permutation_exact(x, y):
    res = stats.permutation_test((x, y), abs_mean_diff, permutation_type="independent", vectorized=True,
                                 n_resamples=np.inf, alternative="greater")
    return float(res.pvalue)


def paired_exact(x, y):
    res = stats.permutation_test((x, y), abs_mean_paired, permutation_type="samples", vectorized=True,
                                 n_resamples=np.inf, alternative="greater")
    return float(res.pvalue)


def stratified_exact(strata):
    """Exact within-stratum permutation p of |mean over strata of mean(y) - mean(x)| (itertools)."""
    def stat(pairs):
        return sum(np.mean(y) - np.mean(x) for x, y in pairs) / len(pairs)
    observed = abs(stat(strata))
    scale = max(1.0, max(abs(v) for x, y in strata for v in x + y))
    options = []
    for x, y in strata:
        pooled = x + y
        arrangements = []
        for chosen in itertools.combinations(range(len(pooled)), len(y)):
            ys = [pooled[i] for i in chosen]
            xs = [pooled[i] for i in range(len(pooled)) if i not in chosen]
            arrangements.append((xs, ys))
        options.append(arrangements)
    hits = total = 0
    for combo in itertools.product(*options):
        total += 1
        hits += abs(stat(combo)) >= observed - 1e-9 * scale
    return hits / total


def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        out[i] = running
    return out


def hedges_g(x, y):
    n1, n2 = len(x), len(y)
    s = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    d = (np.mean(x) - np.mean(y)) / s
    df = n1 + n2 - 2
    j = math.exp(gammaln(df / 2) - gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    return [float(d), float(d * j)]


def main():
    proportions = [[0, 1], [1, 1], [0, 20], [3, 20], [10, 20], [20, 20], [7, 13], [1, 1000], [450, 1000], [56, 70], [48, 80]]
    pairs = [[56, 70, 48, 80], [9, 10, 3, 10], [6, 7, 2, 7], [5, 56, 0, 29], [0, 10, 0, 20], [10, 10, 0, 20], [2, 20, 10, 20]]
    tables = [[[3, 1], [1, 3]], [[8, 2], [1, 5]], [[0, 20], [20, 0]], [[10, 10], [10, 10]], [[2, 18], [10, 10]],
              [[1, 0], [0, 0]], [[5, 0], [0, 5]], [[100, 200], [150, 120]], [[0, 0], [3, 4]], [[12, 5], [7, 30]]]
    samples = [
        [[1.5, 2.0, 3.2, 4.1, 5.0], [2.2, 2.9, 3.0, 6.5, 7.1, 7.3]],
        [[0, 0, 1, 0, 1, 0, 0], [1, 1, 0, 1, 1, 1, 0, 1]],
        [[10, 12, 11, 13], [10, 12, 11, 13]],
        [[3.0, 3.0, 3.0], [1.0, 5.0, 2.0, 4.0, 3.5]],
    ]
    paired = [
        [[5.0, 6.1, 7.2, 3.3, 4.8, 6.6, 7.0, 5.5], [4.1, 6.0, 6.2, 3.9, 3.1, 5.0, 6.2, 5.5]],
        [[1, 1, 1, 0, 1, 1, 0, 1, 1, 1], [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]],
        [[2.0, 2.0, 2.0], [1.0, 3.0, 2.0]],
    ]
    strata_cases = [
        [[[0, 1, 0], [1, 1, 1]], [[0, 0], [1, 0, 1]], [[1, 0, 0, 0], [1, 1]]],
        [[[2.5, 3.0], [4.0, 5.5]], [[10.0, 12.0, 11.0], [13.0, 12.5]]],
        [[[1.0], [3.0]], [[2.0], [1.5]], [[0.5], [2.5]], [[4.0], [6.0]]],
    ]
    p_lists = [[0.01, 0.04, 0.03, 0.2], [0.5, 0.5, 0.001], [0.04, 0.04, 0.04, 0.04], [0.0001]]
    effect_samples = [[[1.5, 2.0, 3.2, 4.1, 5.0], [2.2, 2.9, 3.0, 6.5, 7.1, 7.3]], [[10, 11, 12], [7, 8, 9, 10]]]
    quantile_ps = [0.5, 0.975, 0.995, 0.01, 1e-6, 0.9999999]
    np_quantiles = [[[3.0, 1.0, 2.0, 10.0, 7.0], [0.0, 0.025, 0.5, 0.9, 1.0]]]

    out = {
        "wilson": [{"k": k, "n": n, "ci": wilson(k, n)} for k, n in proportions],
        "newcombe": [{"k1": a, "n1": b, "k2": c, "n2": d, "ci": newcombe(a, b, c, d)} for a, b, c, d in pairs],
        "fisher": [{"table": t, "p": float(stats.fisher_exact(t, alternative="two-sided").pvalue)} for t in tables],
        "permutation": [{"x": x, "y": y, "p": permutation_exact(np.array(x, float), np.array(y, float))} for x, y in samples],
        "paired": [{"x": x, "y": y, "p": paired_exact(np.array(x, float), np.array(y, float))} for x, y in paired],
        "stratified": [{"strata": st, "p": stratified_exact(st)} for st in strata_cases],
        "holm": [{"p": ps, "adjusted": holm(ps)} for ps in p_lists],
        "effect": [{"x": x, "y": y, "d": hedges_g(x, y)[0], "g": hedges_g(x, y)[1]} for x, y in effect_samples],
        "normal": [{"p": p, "z": float(stats.norm.ppf(p))} for p in quantile_ps],
        "quantile": [{"values": v, "q": qs, "expected": [float(np.quantile(v, q)) for q in qs]} for v, qs in np_quantiles],
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
