#!/usr/bin/env python3
"""Case by case: does senmet pass every SBML Test Suite case libRoadRunner passes?

Runs libRoadRunner through the suite curator's scorer
(/work/shared/bench/sbml_suite_roadrunner.py, same pass rule as the suite) and
`senmet sbml-suite --tsv` on the same case folders, then lists the cases one
passes and the other does not.

Usage (after `cargo build --release -p senmet-cli`, libroadrunner in bench/.venv):
  bench/.venv/bin/python bench/sbml/compare_roadrunner.py [CASES_DIR] [--jobs N]
"""
import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCORER = Path("/work/shared/bench/sbml_suite_roadrunner.py")


def verdicts(path, case_col, verdict_col):
    with open(path, newline="") as f:
        return {r[case_col]: r[verdict_col] for r in csv.DictReader(f, delimiter="\t")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="?", default=str(ROOT / "testdata/sbml-test-suite/semantic"))
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rr_tsv, sm_tsv = Path(tmp, "rr.tsv"), Path(tmp, "senmet.tsv")
        rr = subprocess.run(
            [sys.executable, str(SCORER), a.cases, "-j", str(a.jobs), "--tsv", str(rr_tsv)],
            capture_output=True, text=True, check=True)
        sm = subprocess.run(
            [str(ROOT / "target/release/senmet"), "sbml-suite", a.cases, "--tsv", str(sm_tsv)],
            capture_output=True, text=True, check=True)
        rr_v = verdicts(rr_tsv, "case", "status")
        sm_v = verdicts(sm_tsv, "case", "verdict")
    print(rr.stdout.strip().splitlines()[-1])
    print("senmet: " + sm.stdout.strip().splitlines()[-1])
    only_rr = sorted(c for c, v in rr_v.items() if v == "pass" and sm_v.get(c) != "pass")
    only_sm = sorted(c for c, v in sm_v.items() if v == "pass" and rr_v.get(c) != "pass")
    print(f"passed by libRoadRunner, not by senmet: {len(only_rr)} {' '.join(only_rr)}")
    print(f"passed by senmet, not by libRoadRunner: {len(only_sm)}")
    return 1 if only_rr else 0


if __name__ == "__main__":
    sys.exit(main())
