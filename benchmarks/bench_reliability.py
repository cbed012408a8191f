"""Benchmark of toolkit.reliability (toolkit.reliability_stats) against R's psych/semTools and pingouin.

Cases:
  1. cronbach_alpha without bootstrap on 10,000 x 12 (all of psych::alpha's output + Feldt) against
     pingouin.cronbach_alpha (alpha and its analytic CI only). Target: at most pingouin's time.
  2. cronbach_alpha with a 1,000-resample bootstrap (percentile + BCa) on 10,000 x 12: at most 1.0 s
     (psych::alpha(x, n.iter = 1000) side by side); 1M x 12 is in bench_scaling.py (target <= 5 s).
  3. the full reliability() table (alpha + Feldt + 1,000-resample bootstrap, lambda 2/6, split halves,
     Schmid-Leiman and CFA omegas) for WAI-36 on 5,000 respondents: at most 2 s.

Run:  .venv/bin/python benchmarks/bench_reliability.py [--repeat 5] [--no-r]
R timings are measured inside R (system.time, data already loaded), pingouin's after its import.
Each run is stored under benchmarks/results/reliability/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import likert  # noqa: E402
from _harness import Run, fmt_s  # noqa: E402


def wai36_big(n: int, seed: int = 2) -> pd.DataFrame:
    import toolkit

    d = toolkit.load_sample("wai36_client_therapist")
    c = d[d["rater"] == "client"]
    rng = np.random.default_rng(seed)
    return c.iloc[rng.integers(0, len(c), n)].reset_index(drop=True)


R_ALPHA = r"""
suppressPackageStartupMessages(library(psych))
x <- read.csv("{path}")
t <- replicate({repeat}, system.time(psych::alpha(x, n.iter = 1000, warnings = FALSE))[["elapsed"]])
cat("ELAPSED", median(t), "\n")
"""

R_TABLE = r"""
suppressPackageStartupMessages({{library(psych); library(lavaan); library(semTools)}})
x <- read.csv("{path}")
items <- sprintf("wai36_%02d", 1:36)
x <- x[, items]
rev <- sprintf("wai36_%02d", c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34))
for (v in rev) x[[v]] <- 8 - x[[v]]
keys <- list(task = sprintf("wai36_%02d", c(2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35)),
             bond = sprintf("wai36_%02d", c(1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36)),
             goal = sprintf("wai36_%02d", c(3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34)))
run <- function() {{
  for (s in c(keys, list(total = items))) {{
    suppressWarnings(psych::alpha(x[, s], n.iter = 1000, warnings = FALSE))
    suppressWarnings(psych::splitHalf(x[, s], check.keys = FALSE))
  }}
  suppressWarnings(psych::omega(x, nfactors = 3, plot = FALSE))
  for (nm in names(keys)) compRelSEM(cfa(paste0(nm, " =~ ", paste(keys[[nm]], collapse = " + ")), x, std.lv = TRUE))
  m <- paste(sapply(names(keys), function(nm) paste0(nm, " =~ ", paste(keys[[nm]], collapse = " + "))), collapse = "\n")
  compRelSEM(cfa(m, x, std.lv = TRUE), return.total = TRUE)
}}
t <- replicate({repeat}, system.time(run())[["elapsed"]])
cat("ELAPSED", median(t), "\n")
"""


def r_time(script: str, data: pd.DataFrame, repeat: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.csv")
        data.to_csv(path, index=False)
        out = subprocess.run(["Rscript", "-e", script.format(path=path, repeat=repeat)], capture_output=True,
                             text=True, timeout=1800)
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("ELAPSED")]
        if out.returncode != 0 or not lines:
            print("  R failed:", out.stderr.strip()[-300:])
            return None
        return float(lines[-1].split()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--r-repeat", type=int, default=1, help="repeats of the (slow) R runs")
    ap.add_argument("--no-r", action="store_true", help="skip the R timings")
    args = ap.parse_args()
    run = Run("reliability", args)

    from toolkit.reliability_stats import cronbach_alpha, reliability

    print(f"machine: {os.cpu_count()} cores, load average {run.load_start}; medians of {args.repeat}+ repeats "
          "(first call apart)\n")
    x = likert(10_000, 12)

    # 1. no bootstrap, against pingouin
    t0 = time.perf_counter()
    import pingouin

    imp = time.perf_counter() - t0
    # called alternately: the machine's load falls on both alike
    paired = run.time_pair("alpha.10k", lambda: cronbach_alpha(x), "pingouin.alpha.10k",
                           lambda: pingouin.cronbach_alpha(data=x), 20 * args.repeat, who_b="pingouin",
                           what_a="cronbach_alpha, 10,000 x 12, no bootstrap (psych::alpha's output + Feldt)",
                           what_b="pingouin.cronbach_alpha, 10,000 x 12 (alpha + analytic CI)")
    run.cases["pingouin.alpha.10k"]["import_s"] = imp
    nob, pg = run.cases["alpha.10k"], run.cases["pingouin.alpha.10k"]
    ratio = run.ratio("alpha.10k / pingouin", "alpha.10k", "pingouin.alpha.10k", target_max=1.0,
                      what="toolkit / pingouin (target <= 1; called alternately)")
    print("1. cronbach_alpha without bootstrap, 10,000 x 12")
    print(f"   toolkit.cronbach_alpha       {fmt_s(nob['median_s'])}   (all of psych::alpha's output + Feldt)")
    print(f"   pingouin.cronbach_alpha      {fmt_s(pg['median_s'])}   (alpha + analytic CI; import {imp:.1f} s)")
    print(f"   toolkit / pingouin = {ratio:.2f}   target <= 1: {'met' if ratio <= 1 else 'MISSED'} (median of the "
          f"pairs' ratios {paired:.2f}; fastest calls {nob['min_s'] / pg['min_s']:.2f})")

    # 2. alpha + 1,000 bootstrap resamples, 10,000 x 12
    ours = run.time("alpha_boot.10k", lambda: cronbach_alpha(x, n_boot=1000, seed=1), args.repeat, target_s=1.0,
                    what="cronbach_alpha, 10,000 x 12, 1,000 resamples (percentile + BCa)")
    print("\n2. alpha + 1,000-resample bootstrap (percentile + BCa), 10,000 x 12")
    print(f"   toolkit.cronbach_alpha       {fmt_s(ours['median_s'])}   (first call {fmt_s(ours['first_s'])})   "
          f"target <= 1.0 s: {'met' if ours['met'] else 'MISSED'}")
    if not args.no_r:
        rt = r_time(R_ALPHA, x, args.r_repeat)
        if rt is not None:
            run.record("R.alpha_boot.10k", who="R psych", what="psych::alpha(x, n.iter = 1000)", median_s=rt)
            f = run.ratio("psych / toolkit, alpha + 1,000 resamples", "R.alpha_boot.10k", "alpha_boot.10k")
            print(f"   psych::alpha(n.iter = 1000)  {fmt_s(rt)}   psych/toolkit = {f:.1f}")

    # 3. full table, WAI-36, 5,000 respondents
    big = wai36_big(5_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t2 = run.time("table.wai36.5k", lambda: reliability(big, "wai36", form="client", n_boot=1000), args.repeat,
                      target_s=2.0, what="reliability() table, WAI-36 client, 5,000 rows with missing cells")
        complete = big.copy()
        item_cols = [c for c in big.columns if c.startswith("wai36_")]
        complete[item_cols] = complete[item_cols].fillna(4.0)
        t3 = run.time("table.wai36.5k.complete", lambda: reliability(complete, "wai36", form="client", n_boot=1000),
                      args.repeat, what="same, complete data")
    print("\n3. reliability() table, WAI-36 (client), 5,000 respondents (with missing cells: pairwise bootstrap)")
    print(f"   toolkit.reliability          {fmt_s(t2['median_s'])}   target <= 2.0 s: "
          f"{'met' if t2['met'] else 'MISSED'}")
    print(f"   same, complete data          {fmt_s(t3['median_s'])}")
    if not args.no_r:
        rt2 = r_time(R_TABLE, big, args.r_repeat)
        if rt2 is not None:
            run.record("R.table.wai36.5k", who="R psych/lavaan/semTools",
                       what="psych::alpha(n.iter=1000) + splitHalf per scale, psych::omega, compRelSEM x 4",
                       median_s=rt2)
            f = run.ratio("R / toolkit, reliability table", "R.table.wai36.5k", "table.wai36.5k")
            print(f"   R (alpha + splitHalf per scale, omega, compRelSEM x 4)  {fmt_s(rt2)}   R/toolkit = {f:.1f}")
    run.save()


if __name__ == "__main__":
    main()
