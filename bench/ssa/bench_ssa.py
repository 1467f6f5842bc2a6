"""Exact stochastic simulation (SSA) ensembles, side by side, in one run:
senmet vs rebop, GillesPy2 (SSA-C and Tau-Hybrid-C), libRoadRunner (gillespie)
and COPASI (basico, Gibson-Bruck "stochastic").

usage: python bench/ssa/bench_ssa.py [--scale 1.0] [--models birth_death,vilar,metastasis]
                                     [--tools senmet,rebop,gillespy2_ssa,...]
                                     [--senmet target/release/senmet] [--seed 1]

Every tool simulates the same model (same species, rates, initial state, end
time and output grid) with 1 thread; senmet also with 2, with the next
reaction method (`senmet_nrm`, `--ssa-algorithm next-reaction`), and with its
approximate methods (`senmet_tau`, `--method tau`; `senmet_hybrid`, `--method
hybrid`, default partition), which are set against GillesPy2's Tau-Hybrid-C. The SBML tools
(senmet, libRoadRunner, COPASI) read the SBML files in bench/ssa/models/
(written by this script from the table MODELS, except the metastasis model,
which is crates/cli/data/metastasis_branching.xml); rebop and GillesPy2 get
the same reactions through their own APIs, built from MODELS.

Timing: senmet is timed as a whole command (`senmet simulate --method ssa
--runs N`: start-up, SBML import, ensemble, writing the TSV); each peer runs
in its own process and is timed around its ensemble call only (imports,
model loading and GillesPy2's C++ compilation excluded). Wall and CPU
seconds are both recorded, with the machine's load. Events/s: senmet counts
reaction firings (printed on stderr); the peers do not, so their events/s is
their trajectories/s times senmet's mean firings per trajectory (the same
process). For Tau-Hybrid-C (approximate, leaps) this is an equivalent rate.

Agreement: mean and SD of a few species (MODELS[m]["check"]) at the middle and last output times,
per tool, and z = (mean - senmet's) / SE of the difference; |z| > 4 is flagged.

Writes bench/runs/ssa-<UTC timestamp>/: raw.csv (one row per tool and model),
agreement.csv, summary.md (the tables printed at the end).
"""
import argparse
import csv
import datetime as dt
import json
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

# Reactions: (id, reactants, products, rate). A number is a mass-action rate
# constant (no reaction here has two molecules of one species on the left);
# a string is the propensity itself. Compartment size 1, amounts throughout.
MODELS = {
    "birth_death": dict(
        species={"X": 0},
        params={},
        reactions=[("birth", [], ["X"], 10.0), ("death", ["X"], [], 0.1)],
        t_end=100.0, points=101, runs=20000, check=["X"],
    ),
    # Vilar, Kueh, Barkai & Leibler (2002), PNAS 99:5988, with the parameters
    # of rebop's and GillesPy2's Vilar benchmarks.
    "vilar": dict(
        species={"Da": 1, "Dr": 1, "Dpa": 0, "Dpr": 0, "Ma": 0, "Mr": 0, "A": 0, "R": 0, "C": 0},
        params={},
        reactions=[
            ("bind_a", ["Da", "A"], ["Dpa"], 1.0),      # gammaA
            ("bind_r", ["Dr", "A"], ["Dpr"], 1.0),      # gammaR
            ("unbind_a", ["Dpa"], ["Da", "A"], 50.0),   # thetaA
            ("unbind_r", ["Dpr"], ["Dr", "A"], 100.0),  # thetaR
            ("tx_a", ["Da"], ["Da", "Ma"], 50.0),       # alphaA
            ("tx_r", ["Dr"], ["Dr", "Mr"], 0.01),       # alphaR
            ("tx_pa", ["Dpa"], ["Dpa", "Ma"], 500.0),   # alphaA'
            ("tx_pr", ["Dpr"], ["Dpr", "Mr"], 50.0),    # alphaR'
            ("tl_a", ["Ma"], ["Ma", "A"], 50.0),        # betaA
            ("tl_r", ["Mr"], ["Mr", "R"], 5.0),         # betaR
            ("complex", ["A", "R"], ["C"], 2.0),        # gammaC
            ("c_decay", ["C"], ["R"], 1.0),             # deltaA
            ("ma_decay", ["Ma"], [], 10.0),             # deltaMA
            ("mr_decay", ["Mr"], [], 0.5),              # deltaMR
            ("a_decay", ["A"], [], 1.0),                # deltaA
            ("r_decay", ["R"], [], 0.2),                # deltaR
        ],
        t_end=200.0, points=201, runs=200, check=["A", "R", "C"],
    ),
    # crates/cli/data/metastasis_branching.xml (days).
    "metastasis": dict(
        species={"T": 1000, "C": 0, "M": 0},
        params={"b": 0.3, "d": 0.1, "K": 1e6, "s": 1e-3, "dc": 5.0, "m": 1e-3, "g": 0.2},
        reactions=[
            ("T_birth", ["T"], ["T", "T"], "b*T*(1-T/K)"),
            ("T_death", ["T"], [], "d*T"),
            ("shed", ["T"], ["T", "C"], "s*T"),
            ("C_death", ["C"], [], "dc*C"),
            ("seed", ["C"], ["M"], "m*C"),
            ("M_birth", ["M"], ["M", "M"], "g*M"),
        ],
        t_end=60.0, points=61, runs=20, check=["T", "C", "M"],
        sbml=os.path.join(ROOT, "crates", "cli", "data", "metastasis_branching.xml"),
    ),
}

# Trajectories per tool relative to MODELS[m]["runs"] (slow tools run fewer).
SHARE = {"senmet": 1.0, "senmet_2t": 1.0, "senmet_nrm": 1.0, "rebop": 0.5, "gillespy2_ssa": 0.2,
         "gillespy2_tau_hybrid": 0.01, "roadrunner": 0.2, "copasi": 0.1,
         "senmet_tau": 1.0, "senmet_hybrid": 1.0}
# senmet's approximate methods (tau-leaping, hybrid with the default
# partition), compared with GillesPy2's Tau-Hybrid-C in their own table.
APPROXIMATE = {"senmet_tau": "tau", "senmet_hybrid": "hybrid"}
TOOLS = list(SHARE)


def model_path(name):
    return MODELS[name].get("sbml") or os.path.join(HERE, "models", f"{name}.xml")


def write_sbml(name, spec, path):
    """Writes `spec` as SBML L3V2 (amounts, compartment size 1) with libSBML."""
    import libsbml

    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId(name)
    # Amounts are molecule counts (COPASI converts mole-based amounts to particles).
    m.setSubstanceUnits("item"); m.setExtentUnits("item"); m.setTimeUnits("second")
    c = m.createCompartment()
    c.setId("cell"); c.setSize(1.0); c.setConstant(True); c.setSpatialDimensions(3)
    for sid, x0 in spec["species"].items():
        s = m.createSpecies()
        s.setId(sid); s.setCompartment("cell"); s.setInitialAmount(float(x0))
        s.setHasOnlySubstanceUnits(True); s.setBoundaryCondition(False); s.setConstant(False)
    for pid, v in spec["params"].items():
        p = m.createParameter()
        p.setId(pid); p.setValue(v); p.setConstant(True)
    for rid, reactants, products, rate in spec["reactions"]:
        r = m.createReaction()
        r.setId(rid); r.setReversible(False)
        for side, add in ((reactants, r.createReactant), (products, r.createProduct)):
            for sid in sorted(set(side)):
                ref = add()
                ref.setSpecies(sid); ref.setStoichiometry(side.count(sid)); ref.setConstant(True)
        law = rate if isinstance(rate, str) else "*".join([repr(rate)] + reactants)
        r.createKineticLaw().setMath(libsbml.parseL3Formula(law))
    text = libsbml.writeSBMLToString(doc)
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)


# ---------------------------------------------------------------- statistics
def moments(traj, rows):
    """traj: runs x times x species -> {row: (means, sds)} over runs."""
    return {r: (traj[:, r, :].mean(axis=0).tolist(), traj[:, r, :].std(axis=0, ddof=1).tolist())
            for r in rows}


def own_cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


# ---------------------------------------------------------------- peers (one process each)
def peer_rebop(spec, times, n, seed):
    import rebop

    g = rebop.Gillespie()
    for _, reactants, products, rate in spec["reactions"]:
        g.add_reaction(rate, reactants, products)
    names = list(spec["species"])
    init = {k: int(v) for k, v in spec["species"].items()}
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(times), len(names)))

    def run():
        for i in range(n):
            ds = g.run(init, tmax=times[-1], nb_steps=len(times) - 1, params=spec["params"] or None,
                       rng=rng)
            out[i] = np.stack([ds[s].values for s in names], axis=1)
    return run, out


def gillespy2_model(spec, times):
    import gillespy2

    model = gillespy2.Model(name="bench")
    model.volume = 1
    for pid, v in spec["params"].items():
        model.add_parameter(gillespy2.Parameter(name=pid, expression=repr(v)))
    for sid, x0 in spec["species"].items():
        model.add_species(gillespy2.Species(name=sid, initial_value=int(x0), mode="discrete"))
    for k, (rid, reactants, products, rate) in enumerate(spec["reactions"]):
        count = lambda side: {s: side.count(s) for s in set(side)}
        kw = dict(name=rid, reactants=count(reactants), products=count(products))
        if isinstance(rate, str):
            kw["propensity_function"] = rate
        else:
            pid = f"k_{rid}"
            model.add_parameter(gillespy2.Parameter(name=pid, expression=repr(rate)))
            kw["rate"] = pid
        model.add_reaction(gillespy2.Reaction(**kw))
    model.timespan(np.array(times))
    return model


def peer_gillespy2(spec, times, n, seed, solver_name):
    import gillespy2

    model = gillespy2_model(spec, times)
    solver = getattr(gillespy2, solver_name)(model=model)  # compiles the C++ solver
    names = list(spec["species"])
    out = np.empty((n, len(times), len(names)))

    def run():
        res = model.run(solver=solver, number_of_trajectories=n, seed=seed)
        for i, tr in enumerate(res):
            out[i] = np.stack([np.asarray(tr[s]) for s in names], axis=1)
    return run, out


def peer_roadrunner(spec, path, times, n, seed):
    import roadrunner

    r = roadrunner.RoadRunner(path)
    r.setIntegrator("gillespie")
    integ = r.getIntegrator()
    integ.variable_step_size = False
    integ.seed = seed
    names = list(spec["species"])
    r.timeCourseSelections = ["time"] + names
    out = np.empty((n, len(times), len(names)))

    def run():
        for i in range(n):
            r.resetAll()
            res = r.simulate(times[0], times[-1], len(times))
            out[i] = np.asarray(res)[:, 1:]
    return run, out


def peer_copasi(spec, path, times, n, seed):
    import basico

    basico.load_model(path)
    names = list(spec["species"])
    out = np.empty((n, len(times), len(names)))

    def run():
        for i in range(n):
            df = basico.run_time_course(duration=times[-1], intervals=len(times) - 1,
                                        method="stochastic", use_seed=True, seed=seed + i,
                                        max_steps=2**31 - 1, use_number=True)
            out[i] = df[names].to_numpy()
    return run, out


def worker(tool, name, n, seed):
    """Runs one peer in this process; prints a JSON line with timings and moments."""
    spec = MODELS[name]
    times = np.linspace(0.0, spec["t_end"], spec["points"]).tolist()
    make = {
        "rebop": lambda: peer_rebop(spec, times, n, seed),
        "gillespy2_ssa": lambda: peer_gillespy2(spec, times, n, seed, "SSACSolver"),
        "gillespy2_tau_hybrid": lambda: peer_gillespy2(spec, times, n, seed, "TauHybridCSolver"),
        "roadrunner": lambda: peer_roadrunner(spec, model_path(name), times, n, seed),
        "copasi": lambda: peer_copasi(spec, model_path(name), times, n, seed),
    }[tool]
    run, out = make()
    c0, t0 = own_cpu(), time.perf_counter()
    run()
    wall, cpu = time.perf_counter() - t0, own_cpu() - c0
    rows = [len(times) // 2, len(times) - 1]
    print(json.dumps(dict(wall=wall, cpu=cpu, moments=moments(out, rows))))


def run_peer(tool, name, n, seed):
    # GillesPy2 compiles its solvers with SCons, found on PATH (the venv's bin).
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    env = dict(os.environ, PATH=path, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", tool, name, str(n),
                        str(seed)], capture_output=True, text=True, env=env)
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"exit {p.returncode}: {tail}")
    res = json.loads(lines[-1])
    res["moments"] = {int(r): m for r, m in res["moments"].items()}
    return res


# ---------------------------------------------------------------- senmet
def run_senmet(exe, name, n, seed, threads, tmp, algorithm="direct", method="ssa"):
    spec = MODELS[name]
    out = os.path.join(tmp, f"{name}_{threads}_{algorithm}_{method}.tsv")
    how = ["--ssa-algorithm", algorithm] if method == "ssa" else []
    cmd = [exe, "simulate", model_path(name), "--method", method, *how,
           "--runs", str(n), "--seed", str(seed), "--t-end", repr(spec["t_end"]),
           "--points", str(spec["points"]), "--amounts", "--out", out]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    c0, t0 = own_cpu(), time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall, cpu = time.perf_counter() - t0, own_cpu() - c0
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    events = next(int(l.split()[3]) for l in p.stderr.splitlines() if "reaction events" in l)
    data = np.loadtxt(out, delimiter="\t", skiprows=1, ndmin=2)
    head = open(out).readline().rstrip("\n").split("\t")
    rows = [spec["points"] // 2, spec["points"] - 1]
    mom = {r: ([data[r, head.index(f"{s}-mean")] for s in spec["species"]],
               [data[r, head.index(f"{s}-sd")] for s in spec["species"]]) for r in rows}
    return dict(wall=wall, cpu=cpu, events=events, moments=mom)


# ---------------------------------------------------------------- report
def agreement(name, results):
    """Rows (model, time, species, tool, n, mean, sd, z vs senmet)."""
    spec, ref = MODELS[name], results.get("senmet")
    times = np.linspace(0.0, spec["t_end"], spec["points"])
    rows = []
    for tool, res in results.items():
        if "moments" not in res or ref is None:
            continue
        for r, (means, sds) in res["moments"].items():
            rm, rs = ref["moments"][r]
            for k, sid in enumerate(spec["species"]):
                if sid not in spec["check"]:
                    continue
                se = np.sqrt(sds[k] ** 2 / res["n"] + rs[k] ** 2 / ref["n"])
                z = (means[k] - rm[k]) / se if se > 0 else 0.0
                rows.append([name, times[int(r)], sid, tool, res["n"], means[k], sds[k], z])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every trajectory count")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--senmet", default=os.path.join(ROOT, "target", "release", "senmet"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.worker:
        tool, name, n, seed = a.worker
        return worker(tool, name, int(n), int(seed))
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = os.path.join(ROOT, "bench", "runs", f"ssa-{stamp}")
    os.makedirs(out_dir)
    os.makedirs(os.path.join(HERE, "models"), exist_ok=True)
    for name, spec in MODELS.items():
        if "sbml" not in spec:
            write_sbml(name, spec, model_path(name))
    print(f"# {stamp}, {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()}", flush=True)
    raw, agree = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.models.split(","):
            results = {}
            for tool in a.tools.split(","):
                n = max(2, int(round(MODELS[name]["runs"] * SHARE[tool] * a.scale)))
                load = os.getloadavg()[0]
                try:
                    if tool.startswith("senmet"):
                        threads = 2 if tool == "senmet_2t" else 1
                        algorithm = "next-reaction" if tool == "senmet_nrm" else "direct"
                        res = run_senmet(a.senmet, name, n, a.seed, threads, tmp, algorithm,
                                         APPROXIMATE.get(tool, "ssa"))
                    else:
                        res = run_peer(tool, name, n, a.seed)
                except Exception as e:  # a peer that cannot run is reported, not fatal
                    print(f"{name:12} {tool:22} FAILED: {e}", flush=True)
                    raw.append(dict(model=name, tool=tool, n=n, error=str(e), load1=load))
                    continue
                res.update(n=n, load1=load)
                results[tool] = res
                print(f"{name:12} {tool:22} n={n:6} wall {res['wall']:8.3f} s  cpu {res['cpu']:8.3f} s"
                      f"  load {load:.1f}", flush=True)
            per_traj = results["senmet"]["events"] / results["senmet"]["n"] if "senmet" in results else None
            for tool, res in results.items():
                raw.append(dict(model=name, tool=tool, n=res["n"], wall=res["wall"], cpu=res["cpu"],
                                load1=res["load1"], events_per_traj=per_traj))
            agree += agreement(name, results)
    write_report(out_dir, raw, agree, stamp)


def write_report(out_dir, raw, agree, stamp):
    with open(os.path.join(out_dir, "raw.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, ["model", "tool", "n", "wall", "cpu", "load1", "events_per_traj", "error"])
        w.writeheader()
        w.writerows(raw)
    with open(os.path.join(out_dir, "agreement.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "time", "species", "tool", "n", "mean", "sd", "z_vs_senmet"])
        w.writerows(agree)
    from importlib.metadata import version, PackageNotFoundError

    def ver(pkg):
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"
    peers = ", ".join(f"{p} {ver(p)}" for p in
                      ["rebop", "gillespy2", "libroadrunner", "copasi-basico", "python-copasi"])
    lines = [f"Run {stamp} on {platform.node()} ({os.cpu_count()} cores); 1 thread unless `_2t`.",
             f"Peers: {peers}; Python {platform.python_version()}.",
             "traj/s and events/s by wall time; ratio = senmet (1 thread) / tool, by wall and by CPU time.",
             "", "| model | tool | runs | wall s | traj/s | events/s | senmet/tool (wall) | (CPU) | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    ref = {r["model"]: r for r in raw if r["tool"] == "senmet" and "wall" in r}
    for r in raw:
        if "wall" not in r:
            lines.append(f"| {r['model']} | {r['tool']} | {r['n']} | failed: {r['error'][:80]} | | | | | |")
            continue
        tps = r["n"] / r["wall"]
        eps = f"{tps * r['events_per_traj']:.3g}" if r["events_per_traj"] else "-"
        s = ref.get(r["model"])
        ratio = f"{(s['n'] / s['wall']) / tps:.2f}×" if s else "-"
        cratio = f"{(s['n'] / s['cpu']) / (r['n'] / r['cpu']):.2f}×" if s else "-"
        lines.append(f"| {r['model']} | {r['tool']} | {r['n']} | {r['wall']:.2f} | {tps:.4g} | {eps} |"
                     f" {ratio} | {cratio} | {r['load1']:.1f} |")
    lines += ["", "senmet's approximate methods against GillesPy2's Tau-Hybrid-C (traj/s ratio, by wall"
              " and by CPU time):", "", "| model | tool | senmet_x/gillespy2_tau_hybrid (wall) | (CPU) |",
              "|---|---|---|---|"]
    timed = {(r["model"], r["tool"]): r for r in raw if "wall" in r}
    for (m, tool), r in timed.items():
        g = timed.get((m, "gillespy2_tau_hybrid"))
        if tool in APPROXIMATE and g:
            lines.append(f"| {m} | {tool} | {(r['n'] / r['wall']) / (g['n'] / g['wall']):.3g}× |"
                         f" {(r['n'] / r['cpu']) / (g['n'] / g['cpu']):.3g}× |")
    lines += ["", "Agreement (mean ± SD; z of the mean difference against senmet, |z| > 4 flagged):", "",
              "| model | t | species | tool | runs | mean | SD | z |", "|---|---|---|---|---|---|---|---|"]
    for m, t, s, tool, n, mean, sd, z in agree:
        flag = " **!**" if abs(z) > 4 else ""
        lines.append(f"| {m} | {t:g} | {s} | {tool} | {n} | {mean:.5g} | {sd:.4g} | {z:+.2f}{flag} |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "summary.md"), "w") as f:
        f.write(text)
    print(text)
    print(f"written to {out_dir}")


if __name__ == "__main__":
    main()
