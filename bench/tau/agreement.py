"""Agreement of two ensembles' final counts: means, SDs and z-scores.

    python bench/tau/agreement.py SSA.tsv TAU.tsv SPECIES[,SPECIES...]

Both files are `senmet simulate --trajectories` tables (columns run, time and
one per species). For each species, prints one tab-separated line:

    species  ssa_mean  ssa_sd  tau_mean  tau_sd  z_mean  z_sd  ssa_p_pos  tau_p_pos  z_p_pos

of the values at the last time. z_mean divides the difference of means by
√(s²₁/n₁ + s²₂/n₂); z_sd divides the difference of SDs by the bootstrap
standard errors of both SDs combined (1,000 resamples, fixed seed), which
stays honest for heavy-tailed counts (metastases, whose SD a few early
seedings dominate) where the normal-theory s/√(2(n−1)) is far too small,
but has little power there; p_pos is the fraction of runs with a positive
count (for metastases: the chance of having one), z_p_pos its difference
over the binomial standard error. Fewer than 30 runs on either side give
no z (printed as nan).
"""

import sys

import numpy as np
import pandas as pd

RESAMPLES = 1000
MIN_RUNS = 30


def final(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t")
    return table[table["time"] == table["time"].max()]


def sd_se(x: np.ndarray, rng: np.random.Generator) -> float:
    sds = [x[rng.integers(0, len(x), len(x))].std(ddof=1) for _ in range(RESAMPLES)]
    return float(np.std(sds))


def main() -> None:
    ssa_path, tau_path, species = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    ssa, tau = final(ssa_path), final(tau_path)
    rng = np.random.default_rng(20261127)
    for sp in species:
        a = ssa[sp].to_numpy(dtype=float)
        b = tau[sp].to_numpy(dtype=float)
        pa, pb = (a > 0).mean(), (b > 0).mean()
        z_mean = z_sd = z_pos = float("nan")
        if min(len(a), len(b)) >= MIN_RUNS:
            se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
            z_mean = (b.mean() - a.mean()) / se if se > 0 else 0.0
            se_sd = np.hypot(sd_se(a, rng), sd_se(b, rng))
            z_sd = (b.std(ddof=1) - a.std(ddof=1)) / se_sd if se_sd > 0 else 0.0
            se_p = np.sqrt(pa * (1 - pa) / len(a) + pb * (1 - pb) / len(b))
            z_pos = (pb - pa) / se_p if se_p > 0 else 0.0
        print(
            f"{sp}\t{a.mean():.6g}\t{a.std(ddof=1):.4g}\t{b.mean():.6g}\t"
            f"{b.std(ddof=1):.4g}\t{z_mean:+.2f}\t{z_sd:+.2f}\t{pa:.4g}\t{pb:.4g}\t{z_pos:+.2f}"
        )

if __name__ == "__main__":
    main()
