"""Planning tests of a model, per replication, against the same loop in R (lavaan), side by side.

A simulation study in R (simsem, or a hand loop) fits the models of every replication with lavaan. Here both sides
get the same simulated data sets (drawn by ``toolkit.plan``'s own streams, written to CSV) and fit the same models:

1. ``cfa_family``: the one-factor and the correlated-factors model of WAI-SR (ML, std.lv) and their chi-square
   difference (``lavTestLRT``), ``--reps`` data sets of ``--n`` respondents;
2. ``invariance_metric``: the configural and metric steps of the paired client-therapist model
   (``rater_invariance``'s syntax, listwise) and their difference, ``--reps`` data sets of ``--n`` dyads.

The toolkit side is the whole ``plan()`` run (drawing, fitting, tables) divided by the replications; R's is its
fitting loop alone, timed inside a warm R session (``lavaan::cfa`` + ``lavTestLRT``, reading excluded). Both
sides' chi-square differences are compared (they are the same test on the same rows). Timings on a shared
machine are noisy: compare ratios.

Run: ``.venv/bin/python benchmarks/bench_planning.py [--reps 100] [--n 200] [--no-r]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import Run, r_elapsed  # noqa: E402
from toolkit.planning import Population, plan, replication_seed  # noqa: E402
from toolkit.validity._items import item_data  # noqa: E402
from toolkit.validity.families import family_models  # noqa: E402
from toolkit.validity.raters import paired_syntax  # noqa: E402

SEED = 13


def _r_loop(csv: Path, models: list[str], reps: int, out: Path, extra: str = "") -> str:
    """R: read every data set, then time the fits of ``models`` (restricted last) and lavTestLRT."""
    fits = "\n".join(f"    m{k} <- cfa({m!r}, data = d{extra})" for k, m in enumerate(models))
    return f"""
suppressMessages(library(lavaan))
all <- read.csv({str(csv)!r})
sets <- split(all[, setdiff(names(all), "rep")], all$rep)
stopifnot(length(sets) == {reps})
diffs <- numeric(length(sets))
t0 <- proc.time()[["elapsed"]]
for (r in seq_along(sets)) {{
    d <- sets[[r]]
{fits}
    diffs[r] <- lavTestLRT(m0, m1)[2, "Chisq diff"]
}}
el <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(chisq_diff = diffs), {str(out)!r}, row.names = FALSE)
cat("ELAPSED", el, "\\n")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    run = Run("planning", args)
    tmp = Path(tempfile.mkdtemp())
    reps, n = args.reps, args.n

    # 1. the family comparison
    pop = Population("wai-sr", loadings=0.7, factor_corr=0.8)
    plan(pop, n=[n], analyses=["cfa_family"], n_reps=2, seed=SEED, reference_n=1000)   # warm imports
    res, ours = _time_plan(run, "family", pop, "cfa_family", n, reps, f"plan(cfa_family), {reps} x n = {n}, "
                           "per replication")
    sets = []
    for r in range(reps):
        d = pop.draw(n, np.random.default_rng(replication_seed(SEED, n, r)))
        sets.append(item_data(d, "wai-sr", caller="bench").frame.assign(rep=r))
    pd.concat(sets).to_csv(tmp / "family.csv", index=False)
    items = item_data(sets[0].drop(columns="rep"), "wai-sr", caller="bench")
    models = family_models(items.factors, order=list(items.frame.columns))
    print(f"Planning tests of a model ({reps} replications of n = {n}; per replication)")
    print(f"  cfa_family (one factor vs correlated): toolkit {ours * 1000:6.1f} ms")
    if not args.no_r:
        _against_lavaan(run, "family", _r_loop(tmp / "family.csv", [models["correlated"]["syntax"],
                                                                    models["one_factor"]["syntax"]],
                                                reps, tmp / "family_r.csv", extra=", std.lv = TRUE"),
                        tmp / "family_r.csv", res, reps, 38,
                        "lavaan::cfa x 2 + lavTestLRT per data set, warm R loop")

    # 2. paired invariance, metric step
    dyads = Population("wai-sr", loadings=0.7, rater_corr=0.5, rater_loadings={1: 0.45, 3: 0.45})
    res, ours = _time_plan(run, "metric", dyads, "invariance_metric", n, reps,
                           f"plan(invariance_metric), {reps} x n = {n} dyads")
    sets = []
    for r in range(reps):
        d = dyads.draw(n, np.random.default_rng(replication_seed(SEED, n, r)), raters=2)
        keyed = item_data(d, "wai-sr", caller="bench").frame
        halves = []
        for rater in ("client", "therapist"):
            part = keyed[(d["rater"] == rater).to_numpy()].reset_index(drop=True)
            halves.append(part.add_suffix(f"_{rater}"))
        sets.append(pd.concat(halves, axis=1).assign(rep=r))
    pd.concat(sets).to_csv(tmp / "metric.csv", index=False)
    syntax = [paired_syntax(items.factors, ("client", "therapist"), s) for s in ("configural", "metric")]
    print(f"  invariance_metric (configural vs metric): toolkit {ours * 1000:6.1f} ms")
    if not args.no_r:
        _against_lavaan(run, "metric", _r_loop(tmp / "metric.csv", syntax, reps, tmp / "metric_r.csv",
                                               extra=", meanstructure = TRUE"),
                        tmp / "metric_r.csv", res, reps, 41,
                        "lavaan::cfa x 2 (paired model) + lavTestLRT per data set, warm R loop")
    run.save()


def _time_plan(run, case: str, population, analysis: str, n: int, reps: int, what: str):
    """One ``plan`` of ``analysis`` at ``n``, timed and recorded per replication as ``<case>_per_rep``."""
    t0 = time.perf_counter()
    res = plan(population, n=[n], analyses=[analysis], n_reps=reps, seed=SEED, reference_n=1000)
    per_rep = (time.perf_counter() - t0) / reps
    run.record(f"{case}_per_rep", median_s=per_rep, what=what)
    return res, per_rep


def _against_lavaan(run, case: str, script: str, out_csv, res, reps: int, indent: int, what: str) -> None:
    """Time lavaan's loop over the same data sets (``script``), record it and print the ratio and the largest
    difference of the chi-square differences."""
    el = r_elapsed(script)
    if not el:
        return
    run.record(f"{case}_per_rep_lavaan", who="lavaan", median_s=el[0] / reps, what=what)
    diff = np.max(np.abs(pd.read_csv(out_csv)["chisq_diff"].to_numpy() - res.replications["estimate"].to_numpy()))
    ratio = run.ratio(f"{case}_lavaan_vs_toolkit", f"{case}_per_rep_lavaan", f"{case}_per_rep",
                      what="lavaan loop / toolkit plan, per replication")
    print(f"  {'':{indent}} lavaan  {el[0] / reps * 1000:6.1f} ms  ({ratio:.1f}x); max |chi2 diff difference| "
          f"{diff:.1e}")


if __name__ == "__main__":
    main()
