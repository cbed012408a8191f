"""Write the classroom data sets the R reference script reads (run from the repository root).

    .venv/bin/python tests/reference/classroom/export_data.py
    Rscript tests/reference/classroom/make_reference.R

One CSV per exercise for each id in ``IDS`` (``<exercise>_<id>.csv``), plus the tau-equivalent scale a student
simulates in ``alpha_and_omega`` (``alpha_and_omega_tau_<id>.csv``). The data sets are fixed by the ids (see
toolkit/classroom/randomness.py); tests/classroom/test_data.py fails if they ever change.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from toolkit import classroom

HERE = Path(__file__).parent
IDS = ("2026001", "ab12")


def main() -> None:
    facts = {}
    for sid in IDS:
        for name in classroom.list_exercises().index:
            if name == "reverse_scoring":
                continue
            ex = classroom.exercise(name, sid)
            ex.data.to_csv(HERE / f"{name}_{sid}.csv")
            facts[f"{name}_{sid}"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in ex.given.items()}
            if name == "reading_an_efa":
                facts[f"{name}_{sid}"]["n_factors"] = ex.truth["n_factors"]
            if name == "alpha_and_omega":
                k, rho = ex.given["n_items"], ex.given["target_reliability"]
                lam = math.sqrt(rho / (k - (k - 1) * rho))
                classroom.simulate_scale([lam] * k, n=1000, seed=ex.seed).to_csv(HERE / f"{name}_tau_{sid}.csv",
                                                                                 index=False)
    (HERE / "given.json").write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
