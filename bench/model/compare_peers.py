"""The exported model (senmet run's model.xml) simulated by libRoadRunner and COPASI, beside senmet.

    cargo build --release -p senmet-cli
    bench/.venv/bin/python bench/model/compare_peers.py [--out DIR]

Runs `senmet run --runs 2` to get model.xml (the default scenario's first cancer
type, aged vehicle arm), then integrates it from 0 to its end with senmet's ODE
solver (`senmet simulate --amounts`), libRoadRunner (CVODE) and COPASI (LSODA via
basico), all at rtol 1e-8, and prints the largest relative difference per
species over the output points (species below 1e-6 of their maximum are skipped:
they are zero up to solver noise, as are species that stay below 100 × atol). Exits non-zero if a peer differs from senmet
by more than 1e-4 relative.
(bench/.venv: Python 3.12 with libroadrunner, copasi-basico; see bench/README.md.)
"""
import argparse
import os
import csv
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
SENMET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release/senmet"
RTOL, ATOL = 1e-8, 1e-6


def senmet_table(model, t_end, points):
    out = pathlib.Path(tempfile.mkdtemp()) / "ode.tsv"
    subprocess.run(
        [str(SENMET), "simulate", str(model), "--t-end", str(t_end), "--points", str(points),
         "--amounts", "--rtol", str(RTOL), "--atol", str(ATOL), "--out", str(out)],
        check=True,
    )
    with open(out) as f:
        rows = list(csv.reader(f, delimiter="\t"))
    header = rows[0]
    data = np.array([[float(x) for x in r] for r in rows[1:]])
    return header, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None, help="keep senmet run's folder here")
    args = ap.parse_args()
    run_dir = pathlib.Path(args.out or tempfile.mkdtemp()) / "run"
    subprocess.run([str(SENMET), "run", "--runs", "2", "--out", str(run_dir), "--force"], check=True,
                   stdout=subprocess.DEVNULL)
    model = run_dir / "model.xml"
    text = model.read_text()
    # The model's own end: the largest event time is below it; read it from params.tsv.
    t0 = t_end = None
    for line in (run_dir / "params.tsv").read_text().splitlines()[1:]:
        c = line.split("\t")
        if c[1] == "duration" and t_end is None:
            t_end = float(c[2])
    for line in text.splitlines():
        if 'id="day_offset"' in line:
            t0 = float(line.split('value="')[1].split('"')[0])
    span = t_end - t0
    points = int(round(span)) + 1
    header, ours = senmet_table(model, span, points)
    species = header[1:]
    times = ours[:, 0]
    peers = {}
    import roadrunner
    r = roadrunner.RoadRunner(str(model))
    r.integrator.relative_tolerance = RTOL
    r.integrator.absolute_tolerance = ATOL
    r.integrator.maximum_num_steps = 1_000_000
    sel = ["time"] + [f"[{s}]" for s in species]
    res = r.simulate(0, span, points, sel)
    peers[f"libRoadRunner {roadrunner.__version__}"] = np.array(res)
    try:
        import basico
        basico.load_model(str(model))
        basico.set_task_settings(basico.T.TIME_COURSE, {"method": {"Relative Tolerance": RTOL, "Absolute Tolerance": ATOL, "Max Internal Steps": 1_000_000}})
        tc = basico.run_time_course(duration=span, intervals=points - 1, use_sbml_id=True, use_numbers=False)
        cols = [tc[s].to_numpy() if s in tc else np.full(points, np.nan) for s in species]
        peers[f"COPASI (basico {basico.__version__})"] = np.column_stack([tc.index.to_numpy()] + cols)
    except Exception as e:  # noqa: BLE001 - report and go on
        print(f"COPASI: not run ({e})")
    worst = 0.0
    print(f"model: {model} ({len(species)} species, days {t0} to {t_end}, {points} points)")
    for name, theirs in peers.items():
        print(f"\n{name} vs senmet: largest relative difference per species")
        for j, s in enumerate(species, start=1):
            a, b = ours[:, j], theirs[:, j]
            scale = np.nanmax(np.abs(a))
            # Species that stay at zero (up to solver noise below ATOL) are not compared.
            keep = np.abs(a) > max(1e-6 * scale, 100 * ATOL)
            if not keep.any():
                continue
            rel = np.nanmax(np.abs(a[keep] - b[keep]) / np.abs(a[keep]))
            worst = max(worst, rel)
            print(f"  {s:16} {rel:.2e}")
    print(f"\nworst: {worst:.2e}")
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
