"""Benchmark the ordinal CFA route (lavaan's WLSMV) against lavaan (Rscript) in one run.

Run:  .venv/bin/python benchmarks/bench_cfa_ordinal.py [--repeats 7] [--no-r] [--rows 3000]

Target (issue 10): WLSMV on 3,000 x 12 in under 1 s. What is timed, for 12 five-category items and a
3-factor model: thresholds, polychorics and Gamma (``ordinal_statistics``), then the DWLS fit with robust
SEs, the scaled-shifted test, the baseline model and every fit measure (``fit_wls``). The model is the
hand-written delta-parameterization CFA of the tests (``tests/cfa_ordinal/_model.py``), standing in for the
CFA engine's parameter table. lavaan times ``cfa(model, data, ordered = TRUE, estimator = "WLSMV")`` plus
``fitMeasures()``, warm (after one untimed fit), median over the repeats. The 36-item case (WAI-36 size)
is timed once each as well.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.cfa_ordinal._model import DeltaCFA  # noqa: E402
from toolkit.factor.cfa.ordinal import ordinal_statistics  # noqa: E402
from toolkit.factor.cfa.wls import fit_wls  # noqa: E402


def simulate(n, p, k, categories, seed):
    rng = np.random.default_rng(seed)
    lam = np.zeros((p, k))
    for j in range(p):
        lam[j, j % k] = rng.uniform(0.55, 0.8)
    phi = np.full((k, k), 0.4) + 0.6 * np.eye(k)
    f = rng.multivariate_normal(np.zeros(k), phi, size=n)
    x = f @ lam.T + rng.normal(size=(n, p)) * np.sqrt(1 - np.diag(lam @ phi @ lam.T))
    cuts = np.quantile(x, np.linspace(0, 1, categories + 1)[1:-1] ** 0.8, axis=0)  # skewed, like Likert items
    y = np.stack([np.searchsorted(cuts[:, j], x[:, j]) + 1 for j in range(p)], axis=1)
    names = [f"i{j + 1:02d}" for j in range(p)]
    factors = {f"f{f + 1}": [names[j] for j in range(p) if j % k == f] for f in range(k)}
    return pd.DataFrame(y, columns=names), factors


def ours(data, factors):
    st = ordinal_statistics(data)
    m = DeltaCFA(st.samples, factors)
    return fit_wls(st.samples, m.implied, m.jacobian, m.start())


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def lavaan_time(csv: Path, factors: dict, repeats: int) -> tuple[float | None, float | None]:
    if shutil.which("Rscript") is None:
        return None, None
    model = "\\n".join(f"{f} =~ {' + '.join(items)}" for f, items in factors.items())
    script = (
        f'suppressMessages(library(lavaan)); x <- read.csv("{csv}"); m <- "{model}"; '
        'f <- cfa(m, data = x, ordered = TRUE, estimator = "WLSMV"); fm <- fitMeasures(f); '
        f't <- sapply(1:{repeats}, function(i) system.time({{f <- cfa(m, data = x, ordered = TRUE, '
        'estimator = "WLSMV"); fm <- fitMeasures(f)})[["elapsed"]]); '
        'cat("ELAPSED", median(t), "\\n"); cat("CHISQ", fm[["chisq.scaled"]], "\\n")')
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=1800)
    elapsed = chisq = None
    for line in out.stdout.splitlines():
        if line.startswith("ELAPSED"):
            elapsed = float(line.split()[1])
        if line.startswith("CHISQ"):
            chisq = float(line.split()[1])
    if elapsed is None:
        print("  (R failed:", (out.stderr.strip().splitlines() or [out.stdout[-200:]])[-1], ")")
    return elapsed, chisq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    warnings.simplefilter("ignore")
    cases = [(args.rows, 12, 3, args.repeats), (args.rows, 36, 3, 1)]
    for n, p, k, repeats in cases:
        data, factors = simulate(n, p, k, 5, seed=p)
        csv = tmp / f"ord_{p}.csv"
        data.to_csv(csv, index=False)
        t = time.perf_counter()
        fit = ours(data, factors)  # first call in the process (imports, caches)
        cold = time.perf_counter() - t
        med, times = timed(lambda data=data, factors=factors: ours(data, factors), repeats)
        t = time.perf_counter()
        ordinal_statistics(data)
        t_stats = time.perf_counter() - t
        print(f"WLSMV {n} x {p}, {k} factors: toolkit median {med:.3f} s (min {min(times):.3f}, first call "
              f"{cold:.2f} s; of which ordinal statistics {t_stats:.3f} s)"
              + ("; target < 1 s" if p == 12 else ""))
        if not args.no_r:
            rt, chisq = lavaan_time(csv, factors, repeats)
            if rt:
                ours_chisq = fit.fit_measures["chisq.scaled"]
                print(f"  lavaan 0.6-14 cfa(ordered = TRUE, estimator = 'WLSMV') + fitMeasures: {rt:.3f} s "
                      f"-> ratio lavaan/toolkit {rt / med:.1f}x (scaled chi2: lavaan {chisq:.6f}, "
                      f"toolkit {ours_chisq:.6f})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
