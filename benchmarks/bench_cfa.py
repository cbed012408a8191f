"""Benchmark the CFA engine against lavaan (Rscript) and semopy, side by side, printing ratios.

Run:  .venv/bin/python benchmarks/bench_cfa.py [--repeats 7] [--rows 3000] [--no-r] [--no-semopy]

Targets (issue 10):

1. one 3-factor CFA (ML) on 3,000 x 12, fit + every fit measure: at least 5x faster than lavaan warm
   (``cfa()`` + ``fitMeasures()`` in a warm R session);
2. the WAI-SR family (5 models) plus the four-step invariance sequence (2 groups) for 3,000 dyads: < 1 s;
3. WLSMV on 3,000 x 12 (see bench_cfa_ordinal.py for the ordinal route alone): < 1 s.

semopy 2.3.11 is timed on (1) with its default solver and with L-BFGS-B; its numbers differ from
lavaan's as described in toolkit.factor.cfa's documentation (RMSEA with N - 1, GFI as NFI, "LogLik" the fit
function, no SRMR). Timings on a shared machine are noisy: compare ratios.
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

from toolkit.factor.cfa import CFA  # noqa: E402
from toolkit.validity import cfa_family, invariance  # noqa: E402

MODEL = "F1 =~ i01 + i02 + i03 + i04\nF2 =~ i05 + i06 + i07 + i08\nF3 =~ i09 + i10 + i11 + i12"


def simulate(n, seed=0, categories=None):
    """3 correlated factors, 4 items each (loadings .5-.8), continuous or cut into categories."""
    rng = np.random.default_rng(seed)
    R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    F = rng.normal(size=(n, 3)) @ np.linalg.cholesky(R).T
    lam = rng.uniform(0.5, 0.8, size=12)
    X = F[:, np.arange(12) // 4] * lam + rng.normal(size=(n, 12)) * np.sqrt(1 - lam ** 2)
    if categories:
        cuts = np.quantile(X, np.linspace(0, 1, categories + 1)[1:-1], axis=0)
        X = np.stack([np.searchsorted(cuts[:, j], X[:, j]) + 1 for j in range(12)], axis=1).astype(float)
    return pd.DataFrame(X, columns=[f"i{j + 1:02d}" for j in range(12)])


def simulate_wai_sr(n, seed=1):
    """WAI-SR answers (1-5) from three correlated facets, and two groups."""
    rng = np.random.default_rng(seed)
    keys = {"task": [1, 2, 10, 12], "bond": [3, 5, 7, 9], "goal": [4, 6, 8, 11]}
    R = np.array([[1, .7, .8], [.7, 1, .65], [.8, .65, 1]])
    F = rng.normal(size=(n, 3)) @ np.linalg.cholesky(R).T
    X = np.empty((n, 12))
    for f, items in enumerate(keys.values()):
        for i in items:
            X[:, i - 1] = 0.8 * F[:, f] + rng.normal(scale=0.6, size=n)
    d = pd.DataFrame(np.clip(np.round(3 + X), 1, 5), columns=[f"wai_sr_{i:02d}" for i in range(1, 13)])
    d["setting"] = np.where(np.arange(n) % 2 == 0, "clinic", "private")
    return d


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
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=1800)
    for line in out.stdout.splitlines():
        if line.startswith("ELAPSED"):
            return float(line.split()[1])
    print("  (R failed:", out.stderr.strip().splitlines()[-1:] or out.stdout[-200:], ")")
    return None


def ratio(peer, ours):
    return f"{peer / ours:.1f}x" if peer else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-semopy", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    n = args.rows

    # 1. one 3-factor CFA, fit + fit measures
    x = simulate(n, seed=1)
    x.to_csv(tmp / "cfa.csv", index=False)
    CFA(MODEL).fit(x)  # warm imports

    def ours_cfa():
        fit = CFA(MODEL).fit(x)
        return fit.fit_measures_

    med, times = timed(ours_cfa, args.repeats)
    print(f"1. 3-factor CFA (ML), {n} x 12, fit + every fit measure: toolkit median {med * 1000:.1f} ms "
          f"(min {min(times) * 1000:.1f})")
    r = None
    if not args.no_r:
        r = r_time(f"""suppressMessages(library(lavaan)); x <- read.csv("{tmp / 'cfa.csv'}")
m <- "F1 =~ i01 + i02 + i03 + i04\\nF2 =~ i05 + i06 + i07 + i08\\nF3 =~ i09 + i10 + i11 + i12"
for (i in 1:3) {{ f <- cfa(m, data = x); fm <- fitMeasures(f) }}
t <- c(); for (i in 1:{args.repeats}) {{ s <- proc.time()[["elapsed"]]; f <- cfa(m, data = x); fm <- fitMeasures(f)
t <- c(t, proc.time()[["elapsed"]] - s) }}; cat("ELAPSED", median(t), "\\n")""")
        if r:
            print(f"   lavaan cfa() + fitMeasures() warm: {r * 1000:.1f} ms  -> toolkit is {ratio(r, med)} faster "
                  "(target >= 5x)")
    if not args.no_semopy:
        try:
            import semopy

            desc = MODEL.replace("\n", "\n")
            for solver in ("SLSQP", "L-BFGS-B"):
                def sem_fit(solver=solver):
                    m = semopy.Model(desc)
                    m.fit(x, solver=solver)
                    return semopy.calc_stats(m)

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    sem_fit()
                    smed, _ = timed(sem_fit, args.repeats)
                print(f"   semopy ({solver}) fit + calc_stats: {smed * 1000:.1f} ms -> toolkit is {ratio(smed, med)} "
                      "faster")
        except ImportError:
            print("   semopy not installed")

    # 2. the WAI-SR family + the four-step invariance sequence
    d = simulate_wai_sr(n)
    d.to_csv(tmp / "wai.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cfa_family(d, "wai-sr")

        def ours_family():
            fam = cfa_family(d, "wai-sr")
            inv = invariance(d, "wai-sr", group="setting")
            return fam.table, inv.table

        med2, times2 = timed(ours_family, max(3, args.repeats // 2))
    print(f"2. WAI-SR family (5 models) + 4-step invariance (2 groups), {n} dyads: toolkit median {med2:.3f} s "
          f"(min {min(times2):.3f}; target < 1 s)")
    if not args.no_r and r is not None:
        r2 = r_time(f"""suppressMessages(library(lavaan)); d <- read.csv("{tmp / 'wai.csv'}")
it <- function(k) paste(sprintf("wai_sr_%02d", k), collapse = " + ")
sub <- c(paste("task =~", it(c(1, 2, 10, 12))), paste("bond =~", it(c(3, 5, 7, 9))),
         paste("goal =~", it(c(4, 6, 8, 11))))
all <- paste("general =~", it(1:12))
alt <- paste(paste("bond =~", it(c(3, 5, 7, 9))), paste("goal_task =~", it(c(1, 2, 4, 6, 8, 10, 11, 12))), sep = "\\n")
fam <- list(all, paste(sub, collapse = "\\n"), paste(c(sub, "general =~ task + bond + goal"), collapse = "\\n"),
            paste(c(all, sub), collapse = "\\n"), alt)
run <- function() {{ for (k in seq_along(fam)) {{
  f <- cfa(fam[[k]], data = d, std.lv = TRUE, orthogonal = k == 4); fm <- fitMeasures(f) }}
  for (ge in list("", "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals"))) {{
    f <- cfa(fam[[2]], data = d, std.lv = TRUE, group = "setting", group.equal = ge); fm <- fitMeasures(f) }} }}
run(); t <- c(); for (i in 1:3) {{ s <- proc.time()[["elapsed"]]; run(); t <- c(t, proc.time()[["elapsed"]] - s) }}
cat("ELAPSED", median(t), "\\n")""")
        if r2:
            print(f"   lavaan, the same 9 fits + fitMeasures warm: {r2:.3f} s -> toolkit is {ratio(r2, med2)} faster")

    # 3. WLSMV on 3000 x 12 five-category items, through the engine
    xo = simulate(n, seed=2, categories=5)
    items = list(xo.columns)
    CFA(MODEL, estimator="WLSMV", ordered=items).fit(xo)

    def ours_wlsmv():
        return CFA(MODEL, estimator="WLSMV", ordered=items).fit(xo).fit_measures_

    med3, times3 = timed(ours_wlsmv, max(3, args.repeats // 2))
    print(f"3. WLSMV through CFA(), {n} x 12 (5 categories): toolkit median {med3:.3f} s (min {min(times3):.3f}; "
          "target < 1 s)")


if __name__ == "__main__":
    main()
