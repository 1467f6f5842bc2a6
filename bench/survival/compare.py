#!/usr/bin/env python3
"""senmet's Kaplan–Meier, log-rank and Cox PH against lifelines (and R survival).

Run from the repository root with the venv of bench/.venv
(`python3 -m venv bench/.venv && bench/.venv/bin/pip install lifelines`):

    bench/.venv/bin/python bench/survival/compare.py [--write-fixture]

Datasets: `waltons` and `rossi` as shipped with lifelines, and `ties`, random
data with many tied times (numpy, seed below). Each is written as
`time event group covariates...` to crates/stats/tests/data/survival/NAME.tsv
(with --write-fixture, together with lifelines' results as
NAME_lifelines.tsv, which tests/survival_lifelines.rs checks), then run
through `cargo run -p senmet-stats --example survival_tsv` and lifelines:

- KM survival and its 95 % CI, both the exponential Greenwood ("log(-log)")
  interval: lifelines' KaplanMeierFitter default, senmet's only one;
- the two-group log-rank chi-square and p (lifelines.statistics.logrank_test);
- Cox PH coefficients, SE, z, p and log partial likelihood with Efron ties
  (CoxPHFitter converged tightly: full Newton steps, precision 1e-12, no
  stop on the relative log-likelihood change; the difference from lifelines'
  default stopping rule is reported too).

If `Rscript` with the `survival` package is present, the same fits by R
(survfit conf.type = "log-log", survdiff, coxph ties = "efron") are compared
as a second reference (written as NAME_r_survival.tsv with --write-fixture).
Prints the largest absolute and relative differences.
"""

import argparse
import importlib.metadata
import io
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi, load_waltons
from lifelines.statistics import logrank_test

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "crates/stats/tests/data/survival"
SEED = 20261127
TIGHT = {"step_size": 1.0, "precision": 1e-12, "r_precision": 0.0, "max_steps": 1000}
TOLERANCE = 1e-6


def datasets():
    w = load_waltons()
    waltons = pd.DataFrame(
        {"time": w["T"], "event": w["E"], "group": (w["group"] == "miR-137").astype(int)}
    )
    waltons["mir137"] = waltons["group"]
    r = load_rossi()
    rossi = pd.DataFrame({"time": r["week"], "event": r["arrest"], "group": r["fin"]})
    for c in ["fin", "age", "race", "wexp", "mar", "paro", "prio"]:
        rossi[c] = r[c]
    rng = np.random.default_rng(SEED)
    n = 300
    x1 = rng.integers(0, 2, n)
    x2 = np.round(rng.normal(size=n), 3)
    x3 = rng.integers(0, 5, n)
    hazard = 0.05 * np.exp(0.6 * x1 - 0.4 * x2 + 0.15 * x3)
    t_event = rng.exponential(1 / hazard)
    t_censor = rng.exponential(25.0, n)
    # Whole-week times: about 300 subjects on about 40 distinct times.
    ties = pd.DataFrame(
        {
            "time": np.ceil(np.minimum(t_event, t_censor)),
            "event": (t_event <= t_censor).astype(int),
            "group": x1,
            "x1": x1,
            "x2": x2,
            "x3": x3,
        }
    )
    sources = {
        "waltons": "lifelines.datasets.load_waltons() (lifelines, MIT licence): Drosophila lifespans, "
        "group = miR-137 vs control",
        "rossi": "lifelines.datasets.load_rossi() (lifelines, MIT licence; Rossi, Berk & Lenihan 1980, "
        "as in Allison 1995 and R carData): group = fin",
        "ties": f"bench/survival/compare.py, numpy default_rng({SEED}); exponential times ceiled to whole units",
    }
    return {"waltons": (waltons, sources["waltons"]), "rossi": (rossi, sources["rossi"]), "ties": (ties, sources["ties"])}


def lifelines_results(df, fit_options):
    rows = []
    km = KaplanMeierFitter(alpha=0.05).fit(df["time"], df["event"])
    table = km.event_table
    ci = km.confidence_interval_
    s = km.survival_function_.iloc[:, 0]
    for t in table.index[table.index > 0]:
        rows += [
            ("km_n_risk", t, table.loc[t, "at_risk"]),
            ("km_n_event", t, table.loc[t, "observed"]),
            ("km_survival", t, s.loc[t]),
            ("km_lower", t, ci.loc[t].iloc[0]),
            ("km_upper", t, ci.loc[t].iloc[1]),
        ]
    g = df["group"] == 1
    lr = logrank_test(df["time"][g], df["time"][~g], df["event"][g], df["event"][~g])
    rows += [("logrank_chi2", "-", lr.test_statistic), ("logrank_p", "-", lr.p_value)]
    cph = CoxPHFitter().fit(df.drop(columns="group"), "time", "event", fit_options=fit_options)
    summary = cph.summary
    for c in summary.index:
        rows += [
            ("cox_coef", c, summary.loc[c, "coef"]),
            ("cox_se", c, summary.loc[c, "se(coef)"]),
            ("cox_z", c, summary.loc[c, "z"]),
            ("cox_p", c, summary.loc[c, "p"]),
        ]
    rows.append(("cox_loglik", "-", cph.log_likelihood_))
    return pd.DataFrame(rows, columns=["statistic", "key", "value"]).astype({"key": str})


R_SCRIPT = r"""
suppressMessages(library(survival))
d <- read.delim(file("stdin"), comment.char = "#")
out <- function(s, k, v) cat(paste(s, k, sprintf("%.17g", v), sep = "\t"), sep = "\n")
cat("statistic\tkey\tvalue\n")
f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log")
k <- as.character(f$time)
out("km_n_risk", k, f$n.risk); out("km_n_event", k, f$n.event); out("km_survival", k, f$surv)
out("km_lower", k, f$lower); out("km_upper", k, f$upper)
lr <- survdiff(Surv(time, event) ~ group, data = d)
out("logrank_chi2", "-", lr$chisq); out("logrank_p", "-", pchisq(lr$chisq, 1, lower.tail = FALSE))
covs <- setdiff(names(d), c("time", "event", "group"))
m <- coxph(as.formula(paste("Surv(time, event) ~", paste(covs, collapse = "+"))), data = d,
           ties = "efron", control = coxph.control(eps = 1e-14, iter.max = 100))
s <- summary(m)$coefficients
out("cox_coef", rownames(s), s[, "coef"]); out("cox_se", rownames(s), s[, "se(coef)"])
out("cox_z", rownames(s), s[, "z"]); out("cox_p", rownames(s), s[, "Pr(>|z|)"])
out("cox_loglik", "-", m$loglik[2])
"""


def r_results(df):
    if shutil.which("Rscript") is None:
        return None
    text = df.to_csv(sep="\t", index=False)
    res = subprocess.run(["Rscript", "-e", R_SCRIPT], input=text, capture_output=True, text=True)
    if res.returncode != 0:
        print(f"R survival unavailable: {res.stderr.strip()[:200]}", file=sys.stderr)
        return None
    out = pd.read_csv(io.StringIO(res.stdout), sep="\t", dtype={"key": str})
    out["key"] = out["key"].map(normalise_key)
    return out


def normalise_key(k):
    try:
        return repr(float(k))
    except ValueError:
        return k


def ours(df, path):
    out = pathlib.Path(tempfile.mkdtemp(prefix="senmet-surv-")) / "ours.tsv"
    subprocess.run(
        ["cargo", "run", "-q", "-p", "senmet-stats", "--example", "survival_tsv", "--", str(path), str(out)],
        cwd=ROOT,
        check=True,
    )
    res = pd.read_csv(out, sep="\t", dtype={"key": str})
    res["key"] = res["key"].map(normalise_key)
    return res


def compare(name, a, b, label):
    """Largest absolute and relative difference per statistic group (KM CI
    only where 0 < S < 1: lifelines reports 1 and R NaN while S = 1)."""
    m = a.merge(b, on=["statistic", "key"], suffixes=("_a", "_b"), how="outer", indicator=True)
    missing = m[m["_merge"] != "both"]
    m = m[m["_merge"] == "both"]
    surv = m[m.statistic == "km_survival"].set_index("key")["value_a"]
    ci = m.statistic.isin(["km_lower", "km_upper"])
    inside = m["key"].map(lambda k: 0 < surv.get(k, np.nan) < 1)
    m = m[~ci | inside]
    diff = (m["value_a"] - m["value_b"]).abs()
    rel = diff / m["value_b"].abs().clip(lower=1.0)
    worst = 0.0
    print(f"\n### {name}: ours vs {label}" + (f" ({len(missing)} unmatched rows)" if len(missing) else ""))
    print("| statistic | n | max abs diff | max rel diff (vs max(1, |ref|)) |")
    print("|---|---|---|---|")
    for stat, idx in m.groupby("statistic").groups.items():
        print(f"| {stat} | {len(idx)} | {diff[idx].max():.2e} | {rel[idx].max():.2e} |")
        worst = max(worst, rel[idx].max())
    return worst


def r_version():
    res = subprocess.run(["Rscript", "-e", 'cat(format(packageVersion("survival")))'], capture_output=True, text=True)
    return res.stdout.strip()


def write_fixture(path, results, what):
    with open(path, "w") as f:
        f.write(f"# {what}; made by bench/survival/compare.py --write-fixture\n")
        f.write("statistic\tkey\tvalue\n")
        for row in results.itertuples(index=False):
            f.write(f"{row.statistic}\t{row.key}\t{float(row.value)!r}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-fixture", action="store_true", help=f"write inputs and lifelines results to {DATA.relative_to(ROOT)}")
    args = parser.parse_args()
    version = importlib.metadata.version("lifelines")
    print(f"lifelines {version}, pandas {pd.__version__}, numpy {np.__version__}")
    worst = 0.0
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="senmet-surv-in-"))
    for name, (df, source) in datasets().items():
        path = (DATA if args.write_fixture else tmp) / f"{name}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as f:
            f.write(f"# {source}\n")
            df.to_csv(f, sep="\t", index=False)
        reference = lifelines_results(df, TIGHT)
        reference["key"] = reference["key"].map(normalise_key)
        mine = ours(df, path)
        worst = max(worst, compare(name, mine, reference, f"lifelines {version} (tight convergence)"))
        default = lifelines_results(df, None)
        default["key"] = default["key"].map(normalise_key)
        compare(name, mine[mine.statistic.str.startswith("cox")], default[default.statistic.str.startswith("cox")],
                f"lifelines {version} (default convergence)")
        r = r_results(df)
        if r is not None:
            compare(name, mine, r, "R survival")
            if args.write_fixture:
                write_fixture(DATA / f"{name}_r_survival.tsv", r, f"R survival {r_version()}; coxph eps 1e-14")
        if args.write_fixture:
            write_fixture(DATA / f"{name}_lifelines.tsv", reference, f"lifelines {version}; Cox fit_options {TIGHT}")
    print(f"\nlargest relative difference from lifelines: {worst:.2e} (tolerance {TOLERANCE})")
    sys.exit(0 if worst <= TOLERANCE else 1)


if __name__ == "__main__":
    main()
