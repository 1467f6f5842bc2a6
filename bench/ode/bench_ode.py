"""ODE parameter-scan ensembles, side by side: senmet vs libRoadRunner vs COPASI.

usage: python bench_ode.py [--sets 10000] [--models robertson,chain50]
                           [--tools senmet,roadrunner,copasi] [--threads 1,2]
                           [--senmet target/release/senmet] [--peers DIR]

Each solve (as in the peer harness bench/peers/bench_ode.py): species reset to
their initial values, every global parameter set to one row of
<model>_params.npy, simulate 0..t_end with 100 output points (t = 0 included),
keep the last row. Tolerances rtol 1e-6, atol 1e-12 for every tool; CVODE (BDF,
stiff) for libRoadRunner, LSODA for COPASI, BDF (diffsol) for senmet.

senmet is timed as a whole command (`senmet simulate --scan PARAMS.tsv
--final-only --threads N`), so its times include start-up, SBML import,
compilation, reading the parameter TSV and writing results; the peers are
timed around their solve loop only (set-up excluded), in one process per
worker (fork), as the peer harness does. A 1-set senmet run gives the fixed
cost (intercept) so that the per-solve slope is reported apart.

Writes bench/runs/ode-<UTC timestamp>/ with raw.csv, summary.md and
agreement.csv. Needs python with numpy, libroadrunner, basico/python-copasi
and python-libsbml (e.g. /work/main/bench/.venv).
"""
import argparse
import csv
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = {"robertson": dict(tend=1e4, npts=100), "chain50": dict(tend=100.0, npts=100)}
RTOL, ATOL = 1e-6, 1e-12


def load(peers, model, n):
    P = np.load(os.path.join(peers, "models", f"{model}_params.npy"))[:n]
    names = json.load(open(os.path.join(peers, "models", f"{model}_params_names.json")))
    return os.path.join(peers, "models", f"{model}.xml"), P, names


def busy_jiffies():
    """CPU time used by everything on the machine (seconds), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def measured(fn):
    """Runs fn(); returns (result, wall_s, cpu_s, other_cores, load1)."""
    load1 = os.getloadavg()[0]
    b0, c0, t0 = busy_jiffies(), own_cpu(), time.perf_counter()
    out = fn()
    wall, cpu, b1 = time.perf_counter() - t0, own_cpu() - c0, busy_jiffies()
    return out, wall, cpu, max(0.0, (b1 - b0) - cpu) / wall, load1


# ---------------------------------------------------------------- senmet
def senmet_run(exe, sbml, P, names, spec, threads, tmp):
    params = os.path.join(tmp, f"params_{len(P)}.tsv")
    if not os.path.exists(params):
        with open(params, "w") as f:
            f.write("\t".join(names) + "\n")
            for row in P:
                f.write("\t".join(repr(float(x)) for x in row) + "\n")
    out = os.path.join(tmp, "out.tsv")
    cmd = [exe, "simulate", sbml, "--t-end", repr(spec["tend"]), "--points", str(spec["npts"]),
           "--amounts", "--rtol", repr(RTOL), "--atol", repr(ATOL), "--scan", params,
           "--final-only", "--threads", str(threads), "--out", out]

    def go():
        subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
        return np.loadtxt(out, delimiter="\t", skiprows=1, ndmin=2)[:, 2:]

    return go


# ---------------------------------------------------------------- roadrunner
def rr_setup(sbml, P, names, spec):
    import roadrunner
    r = roadrunner.RoadRunner(sbml)
    r.setIntegrator("cvode")
    ig = r.getIntegrator()
    ig.setValue("relative_tolerance", RTOL)
    ig.setValue("absolute_tolerance", ATOL)
    ig.setValue("stiff", True)
    r.timeCourseSelections = ["time"] + list(r.model.getFloatingSpeciesIds())
    assert list(r.model.getGlobalParameterIds()) == names
    return r


def rr_chunk(r, P, spec):
    out = np.empty((len(P), len(r.timeCourseSelections) - 1))
    for i, row in enumerate(P):
        r.reset()
        r.model.setGlobalParameterValues(row)
        res = r.simulate(0.0, spec["tend"], spec["npts"])
        out[i] = res[-1, 1:]
    assert res.shape[0] == spec["npts"]
    return out


# ---------------------------------------------------------------- COPASI
def copasi_setup(sbml, P, names, spec):
    import basico
    import COPASI
    import libsbml
    dm = basico.load_model(sbml)
    cm = dm.getModel()
    by_id = {cm.getModelValue(i).getSBMLId(): cm.getModelValue(i) for i in range(cm.getModelValues().size())}
    task = dm.getTask("Time-Course")
    task.setMethodType(COPASI.CTaskEnum.Method_deterministic)
    meth = task.getMethod()
    meth.getParameter("Relative Tolerance").setDblValue(RTOL)
    meth.getParameter("Absolute Tolerance").setDblValue(ATOL)
    meth.getParameter("Max Internal Steps").setIntValue(1_000_000)
    prob = task.getProblem()
    prob.setAutomaticStepSize(False)
    prob.setStepNumber(spec["npts"] - 1)
    prob.setDuration(spec["tend"])
    prob.setTimeSeriesRequested(True)
    task.setScheduled(False)
    task.setUpdateModel(False)
    cm.compileIfNecessary()
    assert task.initializeRaw(COPASI.CCopasiTask.OUTPUT_UI) and task.processRaw(True)
    ts = task.getTimeSeries()
    titles = [ts.getTitle(k) for k in range(ts.getNumVariables())]
    mets = [cm.getMetabolite(i) for i in range(cm.getMetabolites().size())]
    by_sbml = {m.getSBMLId(): m.getObjectName() for m in mets}
    doc = libsbml.readSBMLFromFile(sbml)
    order = [doc.getModel().getSpecies(i).getId() for i in range(doc.getModel().getNumSpecies())]
    cols = [titles.index(by_sbml[s]) for s in order]
    return dict(dm=dm, cm=cm, mvs=[by_id[n] for n in names], task=task, cols=cols)


def copasi_chunk(st, P, spec):
    import COPASI
    cm, mvs, task, cols = st["cm"], st["mvs"], st["task"], st["cols"]
    mc = cm.getMathContainer()
    out = np.empty((len(P), len(cols)))
    for i, row in enumerate(P):
        for mv, v in zip(mvs, row):
            mv.setInitialValue(float(v))
        # As in the peer harness: without these COPASI keeps the old parameters.
        mc.fetchInitialState()
        mc.updateInitialValues(COPASI.CCore.Framework_ParticleNumbers)
        mc.pushInitialState()
        task.initializeRaw(COPASI.CCopasiTask.OUTPUT_UI)
        if not task.processRaw(True):
            raise RuntimeError(COPASI.CCopasiMessage.getAllMessageText())
        ts = task.getTimeSeries()
        last = ts.getRecordedSteps() - 1
        assert last == spec["npts"] - 1, last
        out[i] = [ts.getData(last, c) for c in cols]
    return out


PEERS = {"roadrunner": (rr_setup, rr_chunk), "copasi": (copasi_setup, copasi_chunk)}
_JOB = {}


def _worker(span):
    chunk, state, P, spec = _JOB["job"]
    return chunk(state, P[span[0]:span[1]], spec)


def peer_run(tool, sbml, P, names, spec, workers):
    setup, chunk = PEERS[tool]
    state = setup(sbml, P, names, spec)
    if workers == 1:
        return lambda: chunk(state, P, spec)
    bounds = np.linspace(0, len(P), workers + 1).astype(int)
    spans = list(zip(bounds[:-1], bounds[1:]))

    def go():
        # Set-up happened in the parent; forked workers inherit it.
        _JOB["job"] = (chunk, state, P, spec)
        with mp.get_context("fork").Pool(workers) as pool:
            return np.concatenate(pool.map(_worker, spans, chunksize=1))

    return go


# ---------------------------------------------------------------- report
def compare(a, b):
    rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-9)
    return dict(median_rel=float(np.median(rel)), p99_rel=float(np.quantile(rel, 0.99)),
                max_rel=float(rel.max()), max_abs=float(np.abs(a - b).max()))


def versions(exe):
    v = {"python": platform.python_version(), "platform": platform.platform(), "nproc": os.cpu_count()}
    with open("/proc/cpuinfo") as f:
        v["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    v["senmet_commit"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                        capture_output=True, text=True).stdout.strip()
    v["senmet_dirty"] = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "crates"],
                                            capture_output=True, text=True).stdout.strip())
    v["senmet"] = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    for mod in ("roadrunner", "basico", "COPASI", "libsbml", "numpy"):
        try:
            m = __import__(mod)
            v[mod] = getattr(m, "__version__", None) or (m.CVersion.VERSION.getVersion()
                                                        if mod == "COPASI" else "?")
        except Exception as e:  # a peer that is not installed is reported, not fatal
            v[mod] = f"unavailable ({e.__class__.__name__})"
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", type=int, default=10_000)
    ap.add_argument("--models", default="robertson,chain50")
    ap.add_argument("--tools", default="senmet,roadrunner,copasi")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--senmet", default=os.path.join(ROOT, "target", "release", "senmet"))
    ap.add_argument("--peers", default="/work/shared/bench/peers")
    a = ap.parse_args()
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = os.path.join(ROOT, "bench", "runs", f"ode-{stamp}")
    os.makedirs(run_dir)
    tmp = tempfile.mkdtemp(prefix="tmp", dir=run_dir)
    tools, threads = a.tools.split(","), [int(t) for t in a.threads.split(",")]
    raw, agree, finals = [], [], {}
    for model in a.models.split(","):
        spec = MODELS[model]
        sbml, P, names = load(a.peers, model, a.sets)
        mtmp = os.path.join(tmp, model)
        os.makedirs(mtmp)
        for tool in tools:
            for w in threads:
                if tool == "senmet":
                    # fixed cost: one set, same command
                    _, w1, _, _, _ = measured(senmet_run(a.senmet, sbml, P[:1], names, spec, w, mtmp))
                    go = senmet_run(a.senmet, sbml, P, names, spec, w, mtmp)
                else:
                    go, w1 = peer_run(tool, sbml, P, names, spec, w), float("nan")
                fin, wall, cpu, other, load1 = measured(go)
                assert fin.shape == (len(P), fin.shape[1]), fin.shape
                finals[(model, tool, w)] = fin
                row = dict(model=model, tool=tool, threads=w, sets=len(P), points=spec["npts"],
                           rtol=RTOL, atol=ATOL, wall_s=round(wall, 4), cpu_s=round(cpu, 3),
                           one_set_wall_s=round(w1, 4), solves_per_s=len(P) / wall,
                           solves_per_s_per_core=len(P) / wall / w,
                           solves_per_cpu_s=len(P) / cpu if cpu > 0 else float("nan"),
                           other_cores_busy=round(other, 2), load1_before=load1)
                raw.append(row)
                print(f"{model:10s} {tool:10s} x{w}: {wall:8.3f} s  {row['solves_per_s']:9.1f} solves/s"
                      f"  (other cores busy {other:.2f}, load {load1:.2f})", flush=True)
        base = [t for t in tools if (model, t, 1) in finals]
        for i, x in enumerate(base):
            for y in base[i + 1:]:
                agree.append(dict(model=model, a=x, b=y, **compare(finals[(model, x, 1)], finals[(model, y, 1)])))
        for t in tools:
            if len(threads) > 1 and (model, t, threads[0]) in finals:
                same = all(np.array_equal(finals[(model, t, threads[0])], finals[(model, t, w)]) for w in threads)
                agree.append(dict(model=model, a=t, b=f"{t} (threads {a.threads})",
                                  **compare(finals[(model, t, threads[-1])], finals[(model, t, threads[0])]),
                                  identical=same))
    write_csv(os.path.join(run_dir, "raw.csv"), raw)
    write_csv(os.path.join(run_dir, "agreement.csv"), agree)
    write_summary(run_dir, a, raw, agree, versions(a.senmet))
    subprocess.run(["rm", "-rf", tmp])
    print("wrote", run_dir)


def write_csv(path, rows):
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


def write_summary(run_dir, a, raw, agree, ver):
    by = {(r["model"], r["tool"], r["threads"]): r for r in raw}
    L = [f"# ODE ensembles: senmet vs peers ({os.path.basename(run_dir)})", "",
         f"{a.sets} parameter sets per model, 100 output points, rtol {RTOL:g}, atol {ATOL:g}; "
         "final states compared. senmet timed as a whole command (start-up, SBML import, "
         "TSV in/out included); peers timed around their solve loop (set-up excluded), "
         "one forked process per worker.", "",
         "## Ratios (senmet solves/s ÷ peer solves/s, same run)", "",
         "| model | peer | senmet threads | peer workers | ratio | ratio per core |",
         "|---|---|---|---|---|---|"]
    for (m, t, w), r in by.items():
        if t == "senmet":
            continue
        for (m2, t2, w2), s in by.items():
            if m2 == m and t2 == "senmet" and w2 == w:
                ratio = s["solves_per_s"] / r["solves_per_s"]
                per_core = s["solves_per_s_per_core"] / r["solves_per_s_per_core"]
                L.append(f"| {m} | {t} | {w2} | {w} | {ratio:.2f} | {per_core:.2f} |")
    L += ["", "Per core: solves/s divided by threads (senmet) or worker processes (peers). "
          "Goal (issue 2): senmet ≥ 2× libRoadRunner per core.", "",
          "## Throughput", "",
          "| model | tool | threads | solves/s | solves/s per core | senmet 1-set run (s) | other cores busy | load1 before |",
          "|---|---|---|---|---|---|---|---|"]
    for r in raw:
        L.append(f"| {r['model']} | {r['tool']} | {r['threads']} | {r['solves_per_s']:.1f} | "
                 f"{r['solves_per_s_per_core']:.1f} | {r['one_set_wall_s']} | {r['other_cores_busy']} | "
                 f"{r['load1_before']:.2f} |")
    L += ["", "## Agreement of final states (relative difference, floor 1e-9 on the denominator)", "",
          "| model | a | b | median | p99 | max | max abs | identical |", "|---|---|---|---|---|---|---|---|"]
    for g in agree:
        L.append(f"| {g['model']} | {g['a']} | {g['b']} | {g['median_rel']:.2e} | {g['p99_rel']:.2e} | "
                 f"{g['max_rel']:.2e} | {g['max_abs']:.2e} | {g.get('identical', '')} |")
    la = os.getloadavg()
    L += ["", "## Machine and versions", "",
          f"- load average at the end: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} (2-core machine shared "
          "with other builds: see 'other cores busy' per row)",
          f"- command: `{' '.join([os.path.basename(sys.executable)] + sys.argv)}`"]
    L += [f"- {k}: {v}" for k, v in ver.items()]
    with open(os.path.join(run_dir, "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
