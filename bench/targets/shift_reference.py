#!/usr/bin/env python3
"""Reference values for the shift tests in crates/seq/src/shift.rs (SciPy).

Run: bench/.venv/bin/python bench/targets/shift_reference.py
(bench/.venv: python3 -m venv bench/.venv && bench/.venv/bin/python -m pip install scipy numpy)
"""
import numpy as np
import scipy
from scipy import stats

print("scipy", scipy.__version__)
for n, hits in [(30, [0, 2, 3, 7, 11, 19]), (200, list(range(150, 200, 3)) + [5, 9])]:
    hits = sorted(hits)
    others = [i for i in range(n) if i not in hits]
    r = stats.mannwhitneyu(np.array(hits) + 1.0, np.array(others) + 1.0,
                           alternative="two-sided", method="asymptotic", use_continuity=True)
    d = stats.ks_2samp(hits, others).statistic
    en = len(hits) * len(others) / n
    print(f"n={n} targets={len(hits)} auc={r.statistic / (len(hits) * len(others))!r} "
          f"ranksum_p={r.pvalue!r} ks_d={d!r} ks_p={stats.kstwobign.sf(np.sqrt(en) * d)!r}")
print("bh", stats.false_discovery_control([0.01, 0.04, 0.03, 0.2, 0.005]))
