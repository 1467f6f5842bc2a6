#!/usr/bin/env python3
"""senmet's Sobol' and Morris sensitivity analysis against SALib.

Run from the repository root with the venv of bench/.venv
(`python3 -m venv bench/.venv && bench/.venv/bin/pip install SALib`):

    bench/.venv/bin/python bench/sensitivity/compare_salib.py [--write-fixture]

For each case it runs `cargo run -p senmet-stats --example sensitivity_tsv`,
which writes our design points, the test function's outputs and our indices,
then

1. recomputes the outputs with SALib's own test functions (checks our
   Ishigami and G-function),
2. runs SALib's `analyze.sobol` / `analyze.morris` on *our* points and outputs
   and reports the largest difference from our estimates (same data, so this
   is the estimator's agreement),
3. runs SALib end to end on its own sample (`sample.sobol`, `sample.morris`)
   of the same size and compares both tools to the analytic indices.

With --write-fixture it writes SALib's numbers to
crates/stats/tests/data/sensitivity/salib.tsv, which tests/sensitivity.rs
checks.
"""

import argparse
import importlib.metadata
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami, Sobol_G

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "crates/stats/tests/data/sensitivity/salib.tsv"
G_A = np.array([0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0])
SEED = 2026
N_BASE = 1024
N_BOOT = 200
TRAJECTORIES = 50
BIG_TRAJECTORIES = 10000
LEVELS = 4

FUNCTIONS = {
    "ishigami": {
        "problem": {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3},
        "evaluate": Ishigami.evaluate,
        # Ishigami & Homma 1990, a = 7, b = 0.1 (as SALib's docs and tests).
        "first": np.array([0.3139, 0.4424, 0.0]),
        "total": np.array([0.5576, 0.4424, 0.2437]),
    },
    "gfunc": {
        "problem": {"num_vars": 8, "names": [f"x{i}" for i in range(1, 9)], "bounds": [[0.0, 1.0]] * 8},
        "evaluate": lambda x: Sobol_G.evaluate(x, a=G_A),
        "first": Sobol_G.sensitivity_index(G_A),
        "total": Sobol_G.total_sensitivity_index(G_A),
    },
}


def run_ours(args):
    out = pathlib.Path(tempfile.mkdtemp(prefix="senmet-sens-"))
    subprocess.run(
        ["cargo", "run", "-q", "-p", "senmet-stats", "--example", "sensitivity_tsv", "--", *map(str, args), str(out)],
        cwd=ROOT,
        check=True,
    )
    points = np.loadtxt(out / "points.tsv", skiprows=1, delimiter="\t", ndmin=2)
    indices = np.genfromtxt(out / "indices.tsv", names=True, delimiter="\t", dtype=None, encoding="utf-8")
    return points[:, :-1], points[:, -1], indices


def sobol_case(name, fixture):
    f = FUNCTIONS[name]
    x, y, ours = run_ours(["sobol", name, N_BASE, SEED, N_BOOT])
    y_salib = f["evaluate"](x)
    theirs = sobol_analyze.analyze(f["problem"], y, calc_second_order=False, num_resamples=N_BOOT, seed=SEED)
    case = f"sobol_{name}"
    print(f"\n## Sobol' indices, {name}, N = {N_BASE}, seed {SEED}, {len(y)} runs")
    print(f"outputs, ours vs SALib's {name}: max |diff| = {np.max(np.abs(y - y_salib)):.3g}")
    for stat, col, conf in [("S1", "first", "S1_conf"), ("ST", "total", "ST_conf")]:
        diff = np.max(np.abs(ours[col] - theirs[stat]))
        half = (ours[f"{col}_high"] - ours[f"{col}_low"]) / 2
        ratio = half / theirs[conf]
        print(
            f"{stat}: max |ours - SALib on our points| = {diff:.3g}; "
            f"CI half-width ours/SALib = {ratio.min():.3f}..{ratio.max():.3f} (different bootstrap draws)"
        )
        for j, factor in enumerate(f["problem"]["names"]):
            fixture.append((case, factor, stat, theirs[stat][j]))
    own = sobol_sample.sample(f["problem"], N_BASE, calc_second_order=False, seed=SEED)
    end_to_end = sobol_analyze.analyze(
        f["problem"], f["evaluate"](own), calc_second_order=False, num_resamples=N_BOOT, seed=SEED
    )
    print("| factor | S1 analytic | ours | SALib own sample | ST analytic | ours | SALib own sample |")
    print("|---|---|---|---|---|---|---|")
    for j, factor in enumerate(f["problem"]["names"]):
        print(
            f"| {factor} | {f['first'][j]:.4f} | {ours['first'][j]:.4f} | {end_to_end['S1'][j]:.4f} "
            f"| {f['total'][j]:.4f} | {ours['total'][j]:.4f} | {end_to_end['ST'][j]:.4f} |"
        )
    for label, s1, st in [("ours", ours["first"], ours["total"]), ("SALib", end_to_end["S1"], end_to_end["ST"])]:
        err = max(np.max(np.abs(s1 - f["first"])), np.max(np.abs(st - f["total"])))
        print(f"max |{label} - analytic| = {err:.4f}")


def morris_case(fixture):
    f = FUNCTIONS["ishigami"]
    x, y, ours = run_ours(["morris", "ishigami", TRAJECTORIES, LEVELS, SEED])
    theirs = morris_analyze.analyze(f["problem"], x, y, num_levels=LEVELS, seed=SEED)
    print(f"\n## Morris, ishigami, r = {TRAJECTORIES}, p = {LEVELS}, seed {SEED}")
    for stat in ["mu", "mu_star", "sigma"]:
        diff = np.max(np.abs(ours[stat] - np.asarray(theirs[stat])))
        print(f"{stat}: max |ours - SALib on our points| = {diff:.3g}")
        for j, factor in enumerate(f["problem"]["names"]):
            fixture.append(("morris_ishigami", factor, stat, theirs[stat][j]))
    _, _, big = run_ours(["morris", "ishigami", BIG_TRAJECTORIES, LEVELS, SEED])
    own = morris_sample.sample(f["problem"], BIG_TRAJECTORIES, num_levels=LEVELS, seed=SEED)
    end_to_end = morris_analyze.analyze(f["problem"], own, f["evaluate"](own), num_levels=LEVELS, seed=SEED)
    print(f"end to end, r = {BIG_TRAJECTORIES} each (mu* of x1 and x2 differ by about 0.17, so r must be large to rank them):")
    print("| factor | mu* ours | mu* SALib own sample | sigma ours | sigma SALib |")
    print("|---|---|---|---|---|")
    for j, factor in enumerate(f["problem"]["names"]):
        print(
            f"| {factor} | {big['mu_star'][j]:.3f} | {end_to_end['mu_star'][j]:.3f} "
            f"| {big['sigma'][j]:.3f} | {end_to_end['sigma'][j]:.3f} |"
        )
        fixture.append((f"morris_ishigami_salib_r{BIG_TRAJECTORIES}", factor, "mu_star", end_to_end["mu_star"][j]))
    same = np.argsort(big["mu_star"]).tolist() == np.argsort(end_to_end["mu_star"]).tolist()
    print(f"mu* ranking equal: {same}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-fixture", action="store_true", help=f"write {FIXTURE.relative_to(ROOT)}")
    args = parser.parse_args()
    fixture = []
    sobol_case("ishigami", fixture)
    sobol_case("gfunc", fixture)
    morris_case(fixture)
    if args.write_fixture:
        FIXTURE.parent.mkdir(parents=True, exist_ok=True)
        tmp = FIXTURE.with_suffix(".tmp")
        with open(tmp, "w") as out:
            out.write(
                f"# SALib {importlib.metadata.version('SALib')}, numpy {np.__version__}; "
                f"made by bench/sensitivity/compare_salib.py (seed {SEED}, N {N_BASE}, "
                f"r {TRAJECTORIES} and {BIG_TRAJECTORIES}, p {LEVELS})\n"
            )
            out.write("case\tfactor\tstatistic\tvalue\n")
            for row in fixture:
                out.write("\t".join(map(str, row[:3])) + f"\t{float(row[3])!r}\n")
        tmp.replace(FIXTURE)
        print(f"\nwrote {FIXTURE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
