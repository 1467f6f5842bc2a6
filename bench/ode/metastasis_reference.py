"""Day-60 state of the embedded example model by libRoadRunner at tight tolerances.

The golden values in crates/cli/tests/engine.rs come from this script:

    bench/.venv/bin/python bench/ode/metastasis_reference.py

(bench/.venv: Python 3.12 with libroadrunner==2.11.0; see bench/README.md.)
"""
import pathlib

import roadrunner

MODEL = pathlib.Path(__file__).resolve().parents[2] / "crates/cli/data/metastasis_branching.xml"

r = roadrunner.RoadRunner(str(MODEL))
r.integrator.relative_tolerance = 1e-12
r.integrator.absolute_tolerance = 1e-12
r.integrator.maximum_num_steps = 100000
res = r.simulate(0, 60, 2, ["T", "C", "M"])
print("libroadrunner", roadrunner.__version__)
print("T C M at day 60:", *(repr(float(v)) for v in res[-1]))
