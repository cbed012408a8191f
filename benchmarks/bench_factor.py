"""Benchmark toolkit.factor against psych (Rscript), factor_analyzer and semopy.

Run:  .venv/bin/python benchmarks/bench_factor.py [--repeats 7] [--no-r]

Targets (issue 4): EFA + parallel analysis with 100 simulated data sets on 3,000 x 12
in <= 0.5 s median (psych::fa.parallel n.iter = 100: ~5 s); the 36 x 36 polychoric
matrix on 5,000 respondents in <= 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.factor import EFA, parallel_analysis, polychoric  # noqa: E402


def simulate(n, p, k, categories=None, seed=0):
    rng = np.random.default_rng(seed)
    lam = np.zeros((p, k))
    for j in range(p):
        lam[j, j % k] = rng.uniform(0.5, 0.8)
    x = rng.normal(size=(n, k)) @ lam.T + rng.normal(size=(n, p)) * np.sqrt(1 - (lam**2).sum(1))
    if categories:
        cuts = np.quantile(x, np.linspace(0, 1, categories + 1)[1:-1], axis=0)
        x = np.stack([np.searchsorted(cuts[:, j], x[:, j]) + 1 for j in range(p)], axis=1)
    return pd.DataFrame(x, columns=[f"i{j + 1:02d}" for j in range(p)])


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def r_time(script: str) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=900)
    for line in out.stdout.splitlines():
        if line.startswith("ELAPSED"):
            return float(line.split()[1])
    print("  (R failed:", out.stderr.strip().splitlines()[-1:] or out.stdout[-200:], ")")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())

    # 1. EFA + parallel analysis, 3000 x 12
    x = simulate(3000, 12, 3, seed=1)
    x.to_csv(tmp / "efa.csv", index=False)
    parallel_analysis(x, n_iter=5, seed=0)  # warm imports (scipy.optimize, scipy.special)
    EFA(3).fit(x)

    def ours_efa():
        parallel_analysis(x, n_iter=100, seed=0)
        EFA(3).fit(x)

    med, times = timed(ours_efa, args.repeats)
    print(f"EFA + parallel analysis (100 sets), 3000 x 12: toolkit median {med:.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f}; target <= 0.5 s)")
    if not args.no_r:
        rt = r_time(f'suppressMessages(library(psych)); x <- read.csv("{tmp / "efa.csv"}"); set.seed(1); '
                    't <- system.time({{fa.parallel(x, n.iter = 100, plot = FALSE); fa(x, 3)}})[["elapsed"]]; '
                    'cat("ELAPSED", t, "\\n")')
        if rt:
            print(f"  psych::fa.parallel(n.iter=100) + fa(x, 3): {rt:.2f} s  -> toolkit is {rt / med:.1f}x faster")
    try:
        from factor_analyzer import FactorAnalyzer

        t = time.perf_counter()
        FactorAnalyzer(n_factors=3, rotation="oblimin", method="minres").fit(x)
        print(f"  factor_analyzer 0.5.1 FactorAnalyzer.fit: {time.perf_counter() - t:.3f} s (no parallel analysis)")
    except Exception as exc:  # noqa: BLE001 - report whatever breaks in the peer
        print(f"  factor_analyzer FactorAnalyzer.fit fails here: {type(exc).__name__}: {str(exc)[:80]}")

    # 2. polychoric 36 x 36 on 5000 respondents
    y = simulate(5000, 36, 3, categories=7, seed=2)
    y.to_csv(tmp / "poly.csv", index=False)
    polychoric(y.iloc[:200, :3])
    med, times = timed(lambda: polychoric(y), max(3, args.repeats // 2))
    print(f"polychoric 36 x 36, 5000 respondents: toolkit median {med:.3f} s "
          f"(min {min(times):.3f}; target <= 2 s)")
    if not args.no_r:
        rt = r_time(f'suppressMessages(library(psych)); x <- read.csv("{tmp / "poly.csv"}"); '
                    't <- system.time(polychoric(x))[["elapsed"]]; cat("ELAPSED", t, "\\n")')
        if rt:
            print(f"  psych::polychoric: {rt:.2f} s  -> toolkit is {rt / med:.1f}x faster")
    try:
        from semopy.polycorr import polychoric_corr

        t = time.perf_counter()
        polychoric_corr(y.iloc[:, 0], y.iloc[:, 1])
        one = time.perf_counter() - t
        print(f"  semopy polychoric_corr: {one:.3f} s per pair -> ~{one * 630:.0f} s for 630 pairs")
    except Exception as exc:  # noqa: BLE001
        print(f"  semopy polychoric_corr fails here: {type(exc).__name__}: {str(exc)[:80]}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
