#!/usr/bin/env python3
"""Validate senmet-sbml's SBML L3V2 output with libSBML (a peer implementation).

Converts every SBML Test Suite semantic case with `cargo run --example convert`,
then asks libSBML to read each written file and run its full consistency
checks. Reports, per case, the libSBML errors (severity error or fatal);
warnings (units, modelling practice) are counted but do not fail a case.

Setup: python3 -m venv bench/.venv && bench/.venv/bin/pip install python-libsbml
Run:   bench/.venv/bin/python bench/sbml/validate_writer.py [SUITE_DIR]
"""
import glob
import os
import subprocess
import sys
import tempfile

import libsbml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pick_model(case_dir):
    """The highest level/version model of a case, as senmet's suite module picks it."""
    case = os.path.basename(case_dir)
    models = glob.glob(os.path.join(case_dir, f"{case}-sbml-l*v*.xml"))
    return max(models, key=lambda p: p.rsplit("-sbml-l", 1)[1]) if models else None


def main():
    suite = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "testdata/sbml-test-suite/semantic")
    models = [m for m in (pick_model(d) for d in sorted(glob.glob(os.path.join(suite, "[0-9]*")))) if m]
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "senmet-sbml", "--example", "convert", "--", out] + models,
            cwd=ROOT, capture_output=True, text=True,
        )
        written = run.stdout.split()
        unsupported = [l for l in run.stderr.splitlines() if "unsupported" in l]
        other = [l for l in run.stderr.splitlines() if "unsupported" not in l and l.strip()]
        bad, warnings = 0, 0
        for path in written:
            doc = libsbml.readSBMLFromFile(path)
            doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
            doc.checkConsistency()
            errors = [doc.getError(i) for i in range(doc.getNumErrors())]
            severe = [e for e in errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
            warnings += len(errors) - len(severe)
            if severe:
                bad += 1
                print(f"{os.path.basename(path)}: {len(severe)} errors; first: {severe[0].getMessage().strip()}")
        print(f"models {len(models)}\twritten {len(written)}\tunsupported {len(unsupported)}"
              f"\tother_errors {len(other)}\tlibsbml_invalid {bad}\tlibsbml_warnings {warnings}")
        for l in other:
            print("error:", l)
        return 1 if bad or other else 0


if __name__ == "__main__":
    sys.exit(main())
