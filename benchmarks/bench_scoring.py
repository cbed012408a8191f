"""Scoring speed: fixed overhead on one form, and throughput on 10,000 and 1,000,000 administrations.

Cases (WAI-36: 36 items, three subscales and a total, 1% missing cells):
  - one row and 100 rows: what the questionnaire widget and a clinic scoring one form at a time pay
    (target: one row <= 1 ms), by loaded instrument and by id;
  - 10,000 rows against a plain numpy pass (the floor: reversal + nansum, no checks; target <= 2x);
  - 1,000,000 rows (target <= 0.5 s) against the numpy floor and R's psych::scoreFast / scoreItems.

``score()`` has two routes for whole-number answers: the compiled loop of the ``fast`` extra (loaded in a
process once it has scored 100,000 rows; here loaded before timing) and numpy. The targets are read on the
default route (the loop when numba is installed); the numpy route is timed beside it (``*.numpy`` cases).

Run: ``.venv/bin/python benchmarks/bench_scoring.py [--rows N] [--repeat K] [--no-r]``
Each run is stored under benchmarks/results/scoring/ (see _harness.py); ``compare.py`` shows changes.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import toolkit  # noqa: E402
from toolkit import _compiled  # noqa: E402
from _cases import wai36 as make_data  # noqa: E402
from _harness import Run, fmt_s  # noqa: E402


@contextlib.contextmanager
def numpy_route():
    """score() without the compiled loop (as in a process without numba)."""
    ready = _compiled.WHOLE_SCORES.ready
    _compiled.WHOLE_SCORES.ready = lambda: None
    try:
        yield
    finally:
        _compiled.WHOLE_SCORES.ready = ready


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
cat("ELAPSED", t1, t2, "\n")
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
        line = [ln for ln in out.stdout.splitlines() if ln.startswith("ELAPSED")][-1]
        t1, t2 = map(float, line.split()[1:])
        return t1, t2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-r", action="store_true", help="skip R even when Rscript is installed")
    args = ap.parse_args()
    run = Run("scoring", args)

    ins = toolkit.load_instrument("wai36")
    small = make_data(10_000)
    one, hundred = small.head(1), small.head(100)
    toolkit.score(small.head(1000), ins)  # warm-up (imports, definition cache)

    print(f"WAI-36 (36 items, 1% missing); medians of repeats; load average at start {run.load_start}")
    loop = _compiled.WHOLE_SCORES.wait(timeout=600)  # what a process that has scored 100,000 rows has
    route = "compiled loop (numba)" if loop is not None else "numpy (numba is not installed)"
    run.args["score_route"] = route  # stored with the run
    print(f"score() route: {route}")
    fixed = max(50, 20 * args.repeat)
    a = run.time("score.1row", lambda: toolkit.score(one, ins), fixed, what="score(), one row, loaded instrument",
                 target_s=1e-3)
    b = run.time("score.1row.by_id", lambda: toolkit.score(one, "wai36"), fixed,
                 what="score(), one row, instrument by id")
    c = run.time("score.100rows", lambda: toolkit.score(hundred, ins), fixed, what="score(), 100 rows")
    print(f"one row                {fmt_s(a['median_s'])}   (target <= 1 ms: {'met' if a['met'] else 'MISSED'})")
    print(f"one row, by id         {fmt_s(b['median_s'])}")
    print(f"100 rows               {fmt_s(c['median_s'])}")

    # the toolkit and the floor called alternately: the machine's load falls on both alike
    paired = run.time_pair("score.10k", lambda: toolkit.score(small, ins), "floor.10k",
                           lambda: numpy_floor(small, ins), 10 * args.repeat, who_b="numpy",
                           what_a="score(), 10,000 rows",
                           what_b="plain numpy pass (reversal + nansum, no checks), 10,000 rows")
    ours = run.cases["score.10k"]
    r10 = run.ratio("score.10k / floor.10k", "score.10k", "floor.10k", target_max=2.0,
                    what="toolkit time / plain numpy time, 10,000 rows (called alternately)")
    print(f"10,000 rows            {fmt_s(ours['median_s'])}   numpy floor {fmt_s(run.cases['floor.10k']['median_s'])}"
          f"   toolkit/floor = {r10:4.2f} (target <= 2: {'met' if r10 <= 2 else 'MISSED'}; median of the "
          f"pairs' ratios {paired:4.2f}; fastest calls {ours['min_s'] / run.cases['floor.10k']['min_s']:4.2f})")

    if loop is not None:  # the numpy route beside it
        with numpy_route():
            run.time_pair("score.10k.numpy", lambda: toolkit.score(small, ins), "floor.10k.numpy",
                          lambda: numpy_floor(small, ins), 10 * args.repeat, who_b="numpy",
                          what_a="score(), 10,000 rows, numpy route", what_b="plain numpy pass, 10,000 rows")
        rn = run.ratio("score.10k.numpy / floor.10k.numpy", "score.10k.numpy", "floor.10k.numpy",
                       what="numpy route / plain numpy time, 10,000 rows (called alternately)")
        print(f"10,000 rows, numpy     {fmt_s(run.cases['score.10k.numpy']['median_s'])}   numpy floor "
              f"{fmt_s(run.cases['floor.10k.numpy']['median_s'])}   toolkit/floor = {rn:4.2f}")

    df = make_data(args.rows)
    run.time_pair("score.big", lambda: toolkit.score(df, ins), "floor.big", lambda: numpy_floor(df, ins),
                  args.repeat, who_b="numpy", what_a=f"score(), {args.rows:,} rows",
                  what_b=f"plain numpy pass, {args.rows:,} rows",
                  target_s=0.5 if args.rows == 1_000_000 else None)
    big = run.cases["score.big"]
    rb = run.ratio("score.big / floor.big", "score.big", "floor.big", what="toolkit / plain numpy")
    floor_big = run.cases["floor.big"]["median_s"]
    print(f"{f'{args.rows:,} rows':<23}{fmt_s(big['median_s'])}   numpy floor {fmt_s(floor_big)}"
          f"   toolkit/floor = {rb:4.2f}")
    if loop is not None:
        with numpy_route():
            plain = run.time("score.big.numpy", lambda: toolkit.score(df, ins), args.repeat,
                             what=f"score(), {args.rows:,} rows, numpy route")
        print(f"{f'{args.rows:,} rows, numpy':<23}{fmt_s(plain['median_s'])}")
    r = None if args.no_r else r_times(df, ins)
    if r is None:
        print("R psych                (Rscript not installed or --no-r)")
    else:
        run.record("R.scoreFast.big", who="R psych", what="psych::scoreFast (one run)", median_s=r[0])
        run.record("R.scoreItems.big", who="R psych", what="psych::scoreItems (one run)", median_s=r[1])
        f1 = run.ratio("scoreFast / toolkit", "R.scoreFast.big", "score.big", what="peer / toolkit")
        f2 = run.ratio("scoreItems / toolkit", "R.scoreItems.big", "score.big", what="peer / toolkit")
        print(f"R psych::scoreFast     {fmt_s(r[0])}   R/toolkit = {f1:5.1f}")
        print(f"R psych::scoreItems    {fmt_s(r[1])}   R/toolkit = {f2:5.1f}")
    run.save()


if __name__ == "__main__":
    main()
