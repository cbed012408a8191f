"""Scaling series: time and peak memory against n = 1e3 ... 1e6 rows, each case in a fresh process.

Tasks (``_cases.py``): scoring (WAI-36), alpha with 1,000 bootstrap resamples (12 items), parallel
analysis with 100 sets (normal theory alone, and with psych's resampled sets) and the polychoric matrix
(12 items, 5 categories). For each n it prints the median time, the growth exponent from the previous n
(1.0 = linear) and the peak resident memory above the level before the call, in MiB and as a multiple of
the input's size. Cases are capped at ``--mem-limit-gb`` of address space (a case that would need more
fails with MemoryError and is reported as such).

Targets (issue 14): alpha + 1,000 resamples on 1M x 12 <= 5 s and linear in n; parallel analysis
(normal theory, 100 sets) on 100k x 12 <= 0.3 s with memory independent of n.

Run:  .venv/bin/python benchmarks/bench_scaling.py [--tasks score,alpha_boot] [--sizes 1000,10000] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import SIZES, TASKS  # noqa: E402
from _harness import Run, fmt_s, measure_case  # noqa: E402

RUNS = {1_000: 7, 10_000: 5, 100_000: 3, 1_000_000: 2}
TARGETS = {("alpha_boot", 1_000_000): 5.0, ("pa_normal", 100_000): 0.3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default=",".join(TASKS), help="comma-separated tasks (default: all)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated row counts")
    ap.add_argument("--quick", action="store_true", help="stop at 100,000 rows")
    ap.add_argument("--mem-limit-gb", type=float, default=6.0)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s <= 100_000]
    run = Run("scaling", args)
    for task in args.tasks.split(","):
        what = TASKS[task][0]
        print(f"\n{task}: {what}")
        print(f"  {'n':>9}  {'median':>10}  {'cpu':>10}  {'per 1k rows':>11}  {'growth':>6}  {'peak extra':>11}"
              f"  {'x input':>7}")
        prev = None
        for n in sizes:
            rec = measure_case(task, n, runs=RUNS.get(n, 3), mem_limit_gb=args.mem_limit_gb)
            case = f"{task}.n{n}"
            if "error" in rec:
                print(f"  {n:>9,}  failed: {rec['error']}")
                run.record(case, what=what, n=n, error=rec["error"])
                prev = None
                continue
            med = rec["median_s"]
            growth = math.log(med / prev[1]) / math.log(n / prev[0]) if prev else None
            target = TARGETS.get((task, n))
            run.record(case, what=what, n=n, target_s=target, growth_exponent=growth, min_s=min(rec["times"]),
                       **{k: rec[k] for k in ("median_s", "cpu_median_s", "times", "input_bytes", "peak_extra_bytes",
                                              "peak_rel_input")})
            flag = "" if target is None else f"   target <= {target:g} s: {'met' if med <= target else 'MISSED'}"
            print(f"  {n:>9,}  {fmt_s(med):>10}  {fmt_s(rec['cpu_median_s']):>10}  {fmt_s(med / n * 1000):>11}  "
                  f"{'' if growth is None else f'{growth:6.2f}':>6}  {rec['peak_extra_bytes'] / 2**20:8.1f} MiB"
                  f"  {rec['peak_rel_input']:7.2f}{flag}")
            prev = (n, med)
    run.save()


if __name__ == "__main__":
    main()
