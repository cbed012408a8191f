"""Benchmark toolkit.factor against psych (Rscript), factor_analyzer and semopy, in one run.

Cases:
  1. one EFA fit (minres + oblimin, 3 factors) on 3,000 x 12: toolkit vs psych::fa and factor_analyzer's
     FactorAnalyzer (its ``fit`` raises TypeError on scikit-learn >= 1.8, so the benchmark patches its
     ``check_array`` call, here only); the loadings of all three are compared (target: at least as fast as
     both, same numbers);
  2. parallel analysis with 100 sets on 3,000 x 12 (psych's default: normal and resampled sets) against
     psych::fa.parallel(n.iter = 100);
  3. parallel analysis with 100 sets on 100,000 x 12: normal theory alone (``resample=False``; target
     <= 0.3 s) and with resampled sets, against psych::fa.parallel (unless --no-r-big);
  4. the 36 x 36 polychoric matrix on 5,000 respondents (target <= 2 s) against psych::polychoric and
     semopy's per-pair estimator.

Run:  .venv/bin/python benchmarks/bench_factor.py [--repeats 7] [--no-r] [--no-r-big]
Each run is stored under benchmarks/results/factor/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import factors as simulate  # noqa: E402
from _harness import Run, fmt_s, r_elapsed  # noqa: E402

from toolkit.factor import EFA, parallel_analysis, polychoric  # noqa: E402


def patched_factor_analyzer():
    """factor_analyzer 0.5.1 with its scikit-learn >= 1.8 incompatibility patched (this process only):
    it calls ``check_array(..., force_all_finite=...)``, a keyword scikit-learn renamed ``ensure_all_finite``."""
    import factor_analyzer.factor_analyzer as fa_mod
    from sklearn.utils import check_array

    def check_array_compat(X, *args, force_all_finite=True, **kwargs):
        return check_array(X, *args, ensure_all_finite=force_all_finite, **kwargs)

    fa_mod.check_array = check_array_compat
    return fa_mod.FactorAnalyzer


def max_loading_diff(a: np.ndarray, b: np.ndarray) -> float:
    """Largest absolute difference after matching b's columns (order and sign) to a's."""
    from itertools import permutations

    best = np.inf
    for perm in permutations(range(b.shape[1])):
        bb = b[:, perm]
        signs = np.sign(np.sum(a * bb, axis=0))
        signs[signs == 0] = 1
        best = min(best, float(np.max(np.abs(a - bb * signs))))
    return best


R_EFA = r"""
suppressMessages(library(psych))
x <- read.csv("{path}")
f <- fa(x, 3)
t <- replicate({blocks}, system.time(for (i in 1:10) fa(x, 3))[["elapsed"]] / 10)
write.csv(unclass(f$loadings), "{out}", row.names = FALSE)
cat("ELAPSED", median(t), "\n")
"""

R_PA = r"""
suppressMessages(library(psych))
x <- read.csv("{path}")
set.seed(1)
t <- replicate({repeat}, system.time(fa.parallel(x, n.iter = 100, plot = FALSE))[["elapsed"]])
cat("ELAPSED", median(t), "\n")
"""

R_POLY = r"""
suppressMessages(library(psych))
x <- read.csv("{path}")
t <- system.time(polychoric(x))[["elapsed"]]
cat("ELAPSED", t, "\n")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-r", action="store_true", help="skip every R timing")
    ap.add_argument("--no-r-big", action="store_true", help="skip psych::fa.parallel on 100,000 rows (~1 min)")
    args = ap.parse_args()
    run = Run("factor", args)
    tmp = Path(tempfile.mkdtemp())
    use_r = not args.no_r and shutil.which("Rscript") is not None
    print(f"load average at start {run.load_start}; medians of repeats\n")

    # 1. one EFA fit, 3000 x 12
    x = simulate(3000, 12, 3, seed=1)
    x.to_csv(tmp / "efa.csv", index=False)
    ours_fit = EFA(3).fit(x)
    efa = run.time("efa.fit.3k", lambda: EFA(3).fit(x), 10 * args.repeats,
                   what="EFA(3) minres + oblimin fit, 3,000 x 12 (from raw data)")
    print("1. one EFA fit (minres + oblimin, 3 factors), 3,000 x 12")
    print(f"   toolkit EFA(3).fit               {fmt_s(efa['median_s'])}")
    ours_l = ours_fit.loadings_.to_numpy()
    FactorAnalyzer = patched_factor_analyzer()
    fa_fit = FactorAnalyzer(n_factors=3, rotation="oblimin", method="minres").fit(x)
    fa = run.time("factor_analyzer.fit.3k", lambda: FactorAnalyzer(n_factors=3, rotation="oblimin",
                                                                   method="minres").fit(x),
                  10 * args.repeats, who="factor_analyzer", what="FactorAnalyzer minres + oblimin (patched)",
                  max_loading_diff=max_loading_diff(ours_l, fa_fit.loadings_))
    r1 = run.ratio("factor_analyzer / toolkit, one EFA fit", "factor_analyzer.fit.3k", "efa.fit.3k", target_min=1.0)
    print(f"   factor_analyzer (patched)        {fmt_s(fa['median_s'])}   factor_analyzer/toolkit = {r1:.2f} "
          f"(target >= 1: {'met' if r1 >= 1 else 'MISSED'}); max |loading diff| {fa['max_loading_diff']:.1e}")
    if use_r:
        rt = r_elapsed(R_EFA.format(path=tmp / "efa.csv", out=tmp / "psych_loadings.csv", blocks=max(3, args.repeats)))
        if rt:
            psych_l = pd.read_csv(tmp / "psych_loadings.csv").to_numpy()
            run.record("R.fa.3k", who="R psych", what="psych::fa(x, 3), median of blocks of 10 fits",
                       median_s=rt[0], max_loading_diff=max_loading_diff(ours_l, psych_l))
            r2 = run.ratio("psych / toolkit, one EFA fit", "R.fa.3k", "efa.fit.3k", target_min=1.0)
            print(f"   psych::fa(x, 3)                  {fmt_s(rt[0])}   psych/toolkit = {r2:.2f} "
                  f"(target >= 1: {'met' if r2 >= 1 else 'MISSED'}); max |loading diff| "
                  f"{run.cases['R.fa.3k']['max_loading_diff']:.1e}")

    # 2. parallel analysis, 3000 x 12, psych's default (normal + resampled)
    parallel_analysis(x, n_iter=5, seed=0)
    pa = run.time("pa.3k", lambda: parallel_analysis(x, n_iter=100, seed=0), args.repeats,
                  what="parallel_analysis, 100 normal + 100 resampled sets, 3,000 x 12")
    print("\n2. parallel analysis, 100 sets (normal + resampled), 3,000 x 12")
    print(f"   toolkit                          {fmt_s(pa['median_s'])}")
    if use_r:
        rt = r_elapsed(R_PA.format(path=tmp / "efa.csv", repeat=3))
        if rt:
            run.record("R.fa.parallel.3k", who="R psych", what="psych::fa.parallel(x, n.iter = 100)", median_s=rt[0])
            f = run.ratio("psych / toolkit, parallel analysis 3k", "R.fa.parallel.3k", "pa.3k")
            print(f"   psych::fa.parallel(n.iter = 100) {fmt_s(rt[0])}   psych/toolkit = {f:.1f}")

    # 3. parallel analysis, 100k x 12
    big = simulate(100_000, 12, 3, seed=4)
    pn = run.time("pa_normal.100k", lambda: parallel_analysis(big, n_iter=100, seed=0, resample=False),
                  max(3, args.repeats // 2), target_s=0.3,
                  what="parallel_analysis, 100 normal-theory sets (resample=False), 100,000 x 12")
    pb = run.time("pa.100k", lambda: parallel_analysis(big, n_iter=100, seed=0), max(3, args.repeats // 2),
                  what="parallel_analysis, 100 normal + 100 resampled sets, 100,000 x 12")
    print("\n3. parallel analysis, 100 sets, 100,000 x 12")
    print(f"   toolkit, normal theory           {fmt_s(pn['median_s'])}   target <= 0.3 s: "
          f"{'met' if pn['met'] else 'MISSED'}")
    print(f"   toolkit, normal + resampled      {fmt_s(pb['median_s'])}")
    if use_r and not args.no_r_big:
        big.to_csv(tmp / "big.csv", index=False)
        rt = r_elapsed(R_PA.format(path=tmp / "big.csv", repeat=1))
        if rt:
            run.record("R.fa.parallel.100k", who="R psych", what="psych::fa.parallel(x, n.iter = 100), one run",
                       median_s=rt[0])
            f = run.ratio("psych / toolkit, parallel analysis 100k", "R.fa.parallel.100k", "pa.100k")
            print(f"   psych::fa.parallel(n.iter = 100) {fmt_s(rt[0])}   psych/toolkit (normal + resampled) = {f:.1f}")

    # 4. polychoric 36 x 36 on 5000 respondents
    y = simulate(5000, 36, 3, categories=7, seed=2)
    y.to_csv(tmp / "poly.csv", index=False)
    polychoric(y.iloc[:200, :3])
    po = run.time("polychoric.36.5k", lambda: polychoric(y), max(3, args.repeats // 2), target_s=2.0,
                  what="polychoric, 36 x 36, 5,000 respondents, 7 categories")
    print("\n4. polychoric 36 x 36, 5,000 respondents")
    print(f"   toolkit                          {fmt_s(po['median_s'])}   target <= 2 s: "
          f"{'met' if po['met'] else 'MISSED'}")
    if use_r:
        rt = r_elapsed(R_POLY.format(path=tmp / "poly.csv"))
        if rt:
            run.record("R.polychoric.36.5k", who="R psych", what="psych::polychoric, one run", median_s=rt[0])
            f = run.ratio("psych / toolkit, polychoric", "R.polychoric.36.5k", "polychoric.36.5k")
            print(f"   psych::polychoric                {fmt_s(rt[0])}   psych/toolkit = {f:.1f}")
    try:
        from semopy.polycorr import polychoric_corr

        t = time.perf_counter()
        polychoric_corr(y.iloc[:, 0], y.iloc[:, 1])
        one = time.perf_counter() - t
        run.record("semopy.polychoric.pair", who="semopy", what="semopy polychoric_corr, one pair x 630 pairs",
                   median_s=one * 630)
        print(f"   semopy polychoric_corr           {fmt_s(one)} per pair -> ~{one * 630:.0f} s for 630 pairs")
    except Exception as exc:  # noqa: BLE001 - report whatever breaks in the peer
        print(f"   semopy polychoric_corr fails here: {type(exc).__name__}: {str(exc)[:80]}")
    shutil.rmtree(tmp, ignore_errors=True)
    run.save()


if __name__ == "__main__":
    main()
