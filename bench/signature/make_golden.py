#!/usr/bin/env python3
"""Generate the golden inputs and reference outputs of `senmet signature`.

Writes into crates/stats/tests/data/golden/:
  expr.tsv, clinical.tsv, sets.gmt            synthetic inputs (numpy seed 20261127)
  scores_singscore.tsv, scores_zscore.tsv     singscore (published formula, rankdata 'min')
                                              and mean z-score, in numpy/scipy
  scores_ssgsea.tsv                           R GSVA::gsva(method="ssgsea") via gsva_ref.R
  tests.tsv                                   scipy / statsmodels / lifelines / R survival
  km.tsv                                      lifelines KaplanMeierFitter
  meta.tsv                                    R metafor::rma(method = "DL") via meta_ref.R
Run from the repository root:  bench/.venv/bin/python bench/signature/make_golden.py
"""
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "crates", "stats", "tests", "data", "golden")
rng = np.random.default_rng(20261127)


def make_inputs():
    n_genes, types = 400, ["breast", "colon", "liver"]
    samples = [f"T{i:03d}" for i in range(90)]
    genes = [f"G{i:04d}" for i in range(n_genes)]
    genes[0], genes[1] = "PTEN", "LATS2"
    ctype = np.repeat(types, 30)
    age = rng.integers(35, 90, size=90).astype(float)
    latent = rng.normal(size=90) + 0.03 * (age - 60)
    met = rng.random(90) < 1 / (1 + np.exp(-latent))
    base = rng.normal(6, 2, size=(n_genes, 1))
    expr = base + rng.normal(0, 1, size=(n_genes, 90))
    expr[2:32] += 0.8 * latent  # an EMT-like block tracking the latent state
    expr[0:2] -= 0.4 * latent  # targets go down
    expr[40:60] = np.round(expr[40:60], 1)  # ties
    expr[60:63] = np.round(expr[60:63])
    hazard = 0.02 * np.exp(0.5 * latent)
    time = np.ceil(rng.exponential(1 / hazard))
    cens = np.ceil(rng.uniform(5, 120, size=90))
    event = time <= cens
    time = np.minimum(time, cens)
    e = pd.DataFrame(np.round(expr, 4), index=genes, columns=samples)
    e.index.name = "gene_symbol"
    met_txt = np.where(met, "M1", "M0").astype(object)
    met_txt[5], met_txt[40], met_txt[70] = "yes", "no", "1"
    met_txt[12], met_txt[50] = "MX", "NA"
    age_txt = age.astype(int).astype(str).astype(object)
    age_txt[7], age_txt[33] = "NA", ""
    c = pd.DataFrame({"sample": samples, "age": age_txt, "metastasis": met_txt,
                      "cancer_type": ctype, "time": time.astype(int), "event": event.astype(int)})
    sets = {
        "TARGETS": ["PTEN", "LATS2"],
        "EMT_LIKE": genes[2:32],
        "SIG_UP": genes[2:12] + genes[45:50],
        "SIG_DN": ["PTEN", "LATS2"] + genes[100:110],
        "PARTLY_ABSENT": genes[58:66] + ["NOT_A_GENE1", "NOT_A_GENE2"],
    }
    return e, c, sets


def parse_clinical(c):
    age = pd.to_numeric(c["age"].replace("", np.nan), errors="coerce")
    m = {"M1": 1.0, "M0": 0.0, "yes": 1.0, "no": 0.0, "1": 1.0, "0": 0.0}
    met = c["metastasis"].map(m)
    return age.to_numpy(), met.to_numpy(), c["time"].to_numpy(float), c["event"].to_numpy(bool)


def singscore(e, genes_up, genes_dn=None):
    ranks = e.rank(axis=0, method="min")
    n = e.shape[0]

    def scaled(gs):
        k = len(gs)
        mean = ranks.loc[gs].mean(axis=0)
        lo, hi = (k + 1) / 2, (2 * n - k + 1) / 2
        return (mean - lo) / (hi - lo)

    up = scaled(genes_up) - 0.5
    return up if genes_dn is None else up + (1 - scaled(genes_dn)) - 0.5


def zscore(e, gs):
    sub = e.loc[gs]
    sd = sub.std(axis=1, ddof=1)
    sub = sub[sd > 0]
    z = sub.sub(sub.mean(axis=1), axis=0).div(sub.std(axis=1, ddof=1), axis=0)
    return z.mean(axis=0)


def scores(e, sets):
    present = {k: [g for g in v if g in e.index] for k, v in sets.items()}
    sing, zs = {}, {}
    for name in ["TARGETS", "EMT_LIKE", "PARTLY_ABSENT"]:
        sing[name] = singscore(e, present[name])
        zs[name] = zscore(e, present[name])
    sing["SIG"] = singscore(e, present["SIG_UP"], present["SIG_DN"])
    zs["SIG"] = zscore(e, present["SIG_UP"]) - zscore(e, present["SIG_DN"])
    return pd.DataFrame(sing).T, pd.DataFrame(zs).T


def gsva(sets):
    subprocess.run(["Rscript", os.path.join(HERE, "gsva_ref.R"), os.path.join(OUT, "expr.tsv"),
                    os.path.join(OUT, "sets.gmt"), os.path.join(OUT, "gsva_raw.tsv")], check=True)
    raw = pd.read_csv(os.path.join(OUT, "gsva_raw.tsv"), sep="\t", index_col=0)
    os.remove(os.path.join(OUT, "gsva_raw.tsv"))
    out = raw.loc[["TARGETS", "EMT_LIKE", "PARTLY_ABSENT"]].copy()
    out.loc["SIG"] = raw.loc["SIG_UP"] - raw.loc["SIG_DN"]
    return out


def need_mask(test, age, met, time):
    m = np.ones(len(age), bool)
    if test in ("spearman_age", "lm_age", "lm_metastasis", "lm_age_x_metastasis",
                "logit_metastasis_feature", "cox_feature"):
        m &= ~np.isnan(age)
    if test in ("mannwhitney_metastasis", "lm_age", "lm_metastasis", "lm_age_x_metastasis",
                "logit_metastasis_feature"):
        m &= ~np.isnan(met)
    return m


def one_test(test, x, age, met, time, event):
    if test == "spearman_age":
        r = stats.spearmanr(x, age)
        return r.statistic, r.statistic, np.nan, r.pvalue
    if test == "mannwhitney_metastasis":
        a, b = x[met == 1], x[met == 0]
        r = stats.mannwhitneyu(a, b, alternative="two-sided")
        return r.statistic, np.median(a) - np.median(b), np.nan, r.pvalue
    if test.startswith("lm_"):
        cols = [age, met] + ([age * met] if test == "lm_age_x_metastasis" else [])
        fit = sm.OLS(x, sm.add_constant(np.column_stack(cols), has_constant="add")).fit()
        j = {"lm_age": 1, "lm_metastasis": 2, "lm_age_x_metastasis": 3}[test]
        return fit.tvalues[j], fit.params[j], fit.bse[j], fit.pvalues[j]
    if test == "logit_metastasis_feature":
        X = sm.add_constant(np.column_stack([x, age]), has_constant="add")
        fit = sm.Logit(met, X).fit(method="newton", tol=1e-14, maxiter=200, disp=0)
        return fit.tvalues[1], fit.params[1], fit.bse[1], fit.pvalues[1]
    if test == "logrank_high_vs_low":
        high = x > np.median(x)
        r = logrank_test(time[high], time[~high], event[high], event[~high])
        return r.test_statistic, np.nan, np.nan, r.p_value
    raise ValueError(test)


TESTS = ["spearman_age", "mannwhitney_metastasis", "lm_age", "lm_metastasis",
         "lm_age_x_metastasis", "logit_metastasis_feature", "logrank_high_vs_low", "cox_feature"]


def association_rows(features, c):
    age, met, time, event = parse_clinical(c)
    rows = []
    for fname, x in features.items():
        for t in sorted(c["cancer_type"].unique()):
            in_t = (c["cancer_type"] == t).to_numpy()
            for test in TESTS:
                m = in_t & need_mask(test, age, met, time)
                n_met = int(np.nansum(met[m] == 1)) if test not in ("spearman_age",) else 0
                row = dict(cancer_type=t, feature=fname, test=test, n=int(m.sum()))
                if test == "cox_feature":
                    row.update(statistic=np.nan, effect=np.nan, se=np.nan, p=np.nan)
                else:
                    st, ef, se, p = one_test(test, x[m], age[m], met[m], time[m], event[m])
                    row.update(statistic=st, effect=ef, se=se, p=p)
                rows.append(row)
    return pd.DataFrame(rows)


def cox(features, c, df):
    feat = pd.DataFrame(features)
    feat["time"], feat["event"] = c["time"].to_numpy(), c["event"].to_numpy()
    feat["age"] = parse_clinical(c)[0]
    feat["cancer_type"] = c["cancer_type"].to_numpy()
    path = os.path.join(OUT, "cox_in.tsv")
    feat.to_csv(path, sep="\t", index=False, na_rep="NA")
    res = subprocess.run(["Rscript", os.path.join(HERE, "cox_ref.R"), path],
                         check=True, capture_output=True, text=True).stdout
    os.remove(path)
    for line in res.strip().splitlines():
        t, f, coef, se, z, p = line.split("\t")
        k = (df.cancer_type == t) & (df.feature == f) & (df.test == "cox_feature")
        df.loc[k, ["statistic", "effect", "se", "p"]] = [float(z), float(coef), float(se), float(p)]
    return df


def km(c):
    sub = c[c.cancer_type == "liver"]
    f = KaplanMeierFitter(alpha=0.05).fit(sub["time"], sub["event"])
    ci = f.confidence_interval_
    out = pd.DataFrame({"time": f.timeline, "survival": f.survival_function_.iloc[:, 0].to_numpy(),
                        "lower": ci.iloc[:, 0].to_numpy(), "upper": ci.iloc[:, 1].to_numpy()})
    return out[out.time > 0]


def meta(df):
    """Pools per-type Spearman (Fisher z, var 1/(n-3)) and the lm_metastasis, logistic and Cox
    coefficients (coef, se^2) with
    metafor::rma(method="DL"); statsmodels' combine_effects is not used because its "dl"
    does not truncate tau^2 at zero."""
    rows = []
    pooled = ["spearman_age", "lm_metastasis", "logit_metastasis_feature", "cox_feature"]
    for (feat, test), g in df[df.test.isin(pooled)].groupby(["feature", "test"]):
        if test == "spearman_age":
            y, v = np.arctanh(g.effect.to_numpy()), 1 / (g.n.to_numpy() - 3)
        else:
            y, v = g.effect.to_numpy(), g.se.to_numpy() ** 2
        rows += [dict(feature=feat, test=test, y=a, v=b) for a, b in zip(y, v)]
    path = os.path.join(OUT, "meta_in.tsv")
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False, float_format="%.17g")
    res = subprocess.run(["Rscript", os.path.join(HERE, "meta_ref.R"), path],
                         check=True, capture_output=True, text=True).stdout
    os.remove(path)
    cols = ["feature", "test", "k", "effect", "se", "ci_low", "ci_high", "p", "q_stat", "i2", "tau2"]
    out = pd.DataFrame([line.split("\t") for line in res.strip().splitlines()], columns=cols)
    rho = out.test == "spearman_age"
    for c in ["effect", "ci_low", "ci_high"]:
        out[c] = out[c].astype(float)
        out.loc[rho, c] = np.tanh(out.loc[rho, c])
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    e, c, sets = make_inputs()
    e.to_csv(os.path.join(OUT, "expr.tsv"), sep="\t", float_format="%.4f")
    c.to_csv(os.path.join(OUT, "clinical.tsv"), sep="\t", index=False)
    with open(os.path.join(OUT, "sets.gmt"), "w") as f:
        for k, v in sets.items():
            f.write("\t".join([k, "synthetic"] + v) + "\n")
    e = pd.read_csv(os.path.join(OUT, "expr.tsv"), sep="\t", index_col=0)
    sing, zs = scores(e, sets)
    ss = gsva(sets)
    for name, d in [("singscore", sing), ("zscore", zs), ("ssgsea", ss)]:
        d.index.name = "set"
        d.to_csv(os.path.join(OUT, f"scores_{name}.tsv"), sep="\t", float_format="%.17g")
    features = {f"singscore:{k}": sing.loc[k].to_numpy() for k in sing.index}
    features["gene:PTEN"] = e.loc["PTEN"].to_numpy()
    df = cox(features, c, association_rows(features, c))
    df["q"] = multipletests(df.p.to_numpy(), method="fdr_bh")[1]
    df.to_csv(os.path.join(OUT, "tests.tsv"), sep="\t", index=False, float_format="%.17g", na_rep="NA")
    km(c).to_csv(os.path.join(OUT, "km.tsv"), sep="\t", index=False, float_format="%.17g", na_rep="NA")
    meta(df).to_csv(os.path.join(OUT, "meta.tsv"), sep="\t", index=False, float_format="%.17g")
    with open(os.path.join(OUT, "VERSIONS"), "w") as f:
        rv = subprocess.run(["Rscript", "-e", 'cat(R.version.string, "GSVA", format(packageVersion("GSVA")), '
                             '"survival", format(packageVersion("survival")), "metafor", format(packageVersion("metafor")), "\\n")'],
                            capture_output=True, text=True).stdout.strip()
        import lifelines
        f.write(f"python {sys.version.split()[0]} numpy {np.__version__} pandas {pd.__version__} "
                f"scipy {scipy.__version__} statsmodels {statsmodels.__version__} "
                f"lifelines {lifelines.__version__}\n{rv}\n")


if __name__ == "__main__":
    main()
