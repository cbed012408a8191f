"""Benchmark of toolkit.reliability (toolkit.reliability_stats) against R's psych/semTools and pingouin (issue 3's speed targets).

Targets:
  1. cronbach_alpha with a 1,000-resample bootstrap (percentile + BCa) on 10,000 respondents x 12 items:
     at most 1.0 s median (psych::alpha(x, n.iter = 1000) takes ~10 s here).
  2. the full reliability() table (alpha + Feldt + 1,000-resample bootstrap, lambda 2/6, split halves,
     Schmid-Leiman and CFA omegas) for WAI-36 on 5,000 respondents: at most 2 s median.

Run:  .venv/bin/python benchmarks/bench_reliability.py [--repeat 5] [--no-r]
R timings are measured inside R (system.time, data already loaded), pingouin's after its import.
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


def likert(n: int, k: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + 0.9 * f + rng.normal(size=(n, k))), 1, 5)
    return pd.DataFrame(x, columns=[f"q{i + 1}" for i in range(k)])


def wai36_big(n: int, seed: int = 2) -> pd.DataFrame:
    import toolkit

    d = toolkit.load_sample("wai36_client_therapist")
    c = d[d["rater"] == "client"]
    rng = np.random.default_rng(seed)
    return c.iloc[rng.integers(0, len(c), n)].reset_index(drop=True)


def median_time(fn, repeat: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), first


R_ALPHA = r"""
suppressPackageStartupMessages(library(psych))
x <- read.csv("{path}")
t <- replicate({repeat}, system.time(psych::alpha(x, n.iter = 1000, warnings = FALSE))[["elapsed"]])
cat(median(t), "\n")
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
cat(median(t), "\n")
"""


def r_time(script: str, data: pd.DataFrame, repeat: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.csv")
        data.to_csv(path, index=False)
        code = script.format(path=path, repeat=repeat)
        out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=1800)
        if out.returncode != 0:
            print("  R failed:", out.stderr.strip()[-300:])
            return None
        return float(out.stdout.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--r-repeat", type=int, default=1, help="repeats of the (slow) R runs")
    ap.add_argument("--no-r", action="store_true", help="skip the R timings")
    args = ap.parse_args()

    from toolkit.reliability_stats import cronbach_alpha, reliability

    print(f"machine: {os.cpu_count()} cores; repeats: {args.repeat} (median; first call shown separately)\n")

    # 1. alpha + 1,000 bootstrap resamples, 10,000 x 12
    x = likert(10_000, 12)
    ours, first = median_time(lambda: cronbach_alpha(x, n_boot=1000, seed=1), args.repeat)
    print("1. alpha + 1,000-resample bootstrap (percentile + BCa), 10,000 x 12")
    print(f"   toolkit.cronbach_alpha       {ours:8.3f} s   (first call {first:.3f} s)   target <= 1.0 s: "
          f"{'PASS' if ours <= 1.0 else 'FAIL'}")
    t0 = time.perf_counter()
    import pingouin

    imp = time.perf_counter() - t0
    pg, _ = median_time(lambda: pingouin.cronbach_alpha(data=x), args.repeat)
    print(f"   pingouin.cronbach_alpha      {pg:8.3f} s   (analytic CI only, no bootstrap; import {imp:.1f} s)"
          f"   ratio ours/pingouin = {ours / pg:.1f}")
    nob, _ = median_time(lambda: cronbach_alpha(x), args.repeat)
    print(f"   toolkit, no bootstrap        {nob:8.3f} s   (all of psych::alpha's output + Feldt)   "
          f"ratio ours/pingouin = {nob / pg:.1f}")
    if not args.no_r:
        rt = r_time(R_ALPHA, x, args.r_repeat)
        if rt is not None:
            print(f"   psych::alpha(n.iter = 1000)  {rt:8.3f} s   ratio psych/ours = {rt / ours:.1f}x")
        else:
            print("   psych: Rscript not available")

    # 2. full table, WAI-36, 5,000 respondents
    big = wai36_big(5_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours2, first2 = median_time(lambda: reliability(big, "wai36", form="client", n_boot=1000), args.repeat)
    print("\n2. reliability() table, WAI-36 (client), 5,000 respondents (with missing cells: pairwise bootstrap)")
    print(f"   toolkit.reliability          {ours2:8.3f} s   (first call {first2:.3f} s)   target <= 2.0 s: "
          f"{'PASS' if ours2 <= 2.0 else 'FAIL'}")
    complete = big.copy()
    item_cols = [c for c in big.columns if c.startswith("wai36_")]
    complete[item_cols] = complete[item_cols].fillna(4.0)
    ours3, _ = median_time(lambda: reliability(complete, "wai36", form="client", n_boot=1000), args.repeat)
    print(f"   same, complete data          {ours3:8.3f} s")
    if not args.no_r:
        rt2 = r_time(R_TABLE, big, args.r_repeat)
        if rt2 is not None:
            print(f"   R: psych::alpha(n.iter=1000) + splitHalf per scale, psych::omega, compRelSEM x 4  "
                  f"{rt2:.3f} s   ratio R/ours = {rt2 / ours2:.1f}x")


if __name__ == "__main__":
    main()
