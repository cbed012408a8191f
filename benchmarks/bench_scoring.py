"""Scoring speed: 1,000,000 WAI-36 administrations with 1% missing cells.

Target (issue 2): at most 0.5 s median for ``toolkit.score`` (validation,
reversal, prorating, three subscales and total) on the 2-core reference machine.
Printed side by side: a plain numpy pass (the floor: reversal + nansum, no
checks), and R's psych::scoreFast / scoreItems when Rscript is installed.

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--rows N] [--repeat K] [--no-r]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import toolkit


def make_data(n_rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 8, size=(n_rows, 36)).astype(np.float64)
    x[rng.random(x.shape) < 0.01] = np.nan
    return pd.DataFrame(x, columns=[f"wai36_{n:02d}" for n in range(1, 37)])


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def numpy_floor(df: pd.DataFrame, ins) -> np.ndarray:
    x = df.to_numpy(dtype=np.float64, copy=True)
    rev = np.array([it.reversed for it in ins.items])
    x[:, rev] = 8.0 - x[:, rev]
    return np.stack([np.nansum(x[:, [n - 1 for n in ins.keys[s]]], axis=1) for s in ins.subscale_ids], axis=1)


R_SCRIPT = r"""
suppressMessages(library(psych))
x <- as.matrix(read.csv("{path}"))
keys <- list(task = c({task}), bond = c({bond}), goal = c({goal}))
keys <- lapply(keys, function(k) ifelse(k %in% c({rev}), paste0("-", colnames(x)[k]), colnames(x)[k]))
t1 <- system.time(scoreFast(keys, x, totals = TRUE, min = 1, max = 7))[["elapsed"]]
t2 <- system.time(scoreItems(keys, x, totals = TRUE, min = 1, max = 7))[["elapsed"]]
cat(t1, t2, "\n")
"""


def r_times(df: pd.DataFrame, ins) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        df.to_csv(path, index=False)
        script = R_SCRIPT.format(
            path=path,
            rev=", ".join(map(str, ins.reversed_items)),
            **{s: ", ".join(map(str, ins.keys[s])) for s in ins.subscale_ids},
        )
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
        t1, t2 = map(float, out.stdout.split())
        return t1, t2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-r", action="store_true", help="skip R even when Rscript is installed")
    args = ap.parse_args()

    ins = toolkit.load_instrument("wai36")
    df = make_data(args.rows)
    toolkit.score(df.head(1000), ins)  # warm-up (imports, definition cache)

    ours = median_time(lambda: toolkit.score(df, ins), args.repeat)
    floor = median_time(lambda: numpy_floor(df, ins), args.repeat)
    print(f"data: {args.rows:,} rows x 36 WAI items, 1% missing; median of {args.repeat} runs")
    print(f"toolkit.score          {ours:8.3f} s   (target <= 0.5 s: {'met' if ours <= 0.5 else 'NOT met'})")
    print(f"numpy floor (no checks){floor:8.3f} s   toolkit/floor = {ours / floor:5.2f}")
    r = None if args.no_r else r_times(df, ins)
    if r is None:
        print("R psych                (Rscript not installed or --no-r; reference here: scoreFast 3.2 s, scoreItems 16.5 s)")
    else:
        print(f"R psych::scoreFast     {r[0]:8.3f} s   ratio R/toolkit = {r[0] / ours:5.1f}")
        print(f"R psych::scoreItems    {r[1]:8.3f} s   ratio R/toolkit = {r[1] / ours:5.1f}")


if __name__ == "__main__":
    main()
