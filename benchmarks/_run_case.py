"""Run one task of ``_cases.py`` on n rows in this (fresh) process; print one JSON line.

Usage: ``python benchmarks/_run_case.py TASK N [--runs R] [--mem-limit-gb G]``

The task is warmed on 200 rows first (imports, caches), then the input is built, the peak-memory mark
is reset (Linux ``/proc/self/clear_refs``), the first call is run and the peak resident memory above the
level just before the call is recorded; ``--runs`` calls are timed in all (the first included). The
address space is capped at ``--mem-limit-gb`` so that a case that would exhaust a shared machine fails
with MemoryError instead.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("task")
    ap.add_argument("n", type=int)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mem-limit-gb", type=float, default=6.0)
    args = ap.parse_args()
    limit = int(args.mem_limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore")
    from _cases import TASKS

    _what, make, call = TASKS[args.task]
    call(make(200))
    data = make(args.n)
    input_bytes = int(data.memory_usage(index=False, deep=True).sum())
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb("VmRSS")
    times, cpu = [], []
    c0, t0 = time.process_time(), time.perf_counter()
    call(data)
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
    peak = _status_kb("VmHWM")
    for _ in range(args.runs - 1):
        c0, t0 = time.process_time(), time.perf_counter()
        call(data)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    extra = max(0, peak - before) * 1024
    print(json.dumps({"task": args.task, "n": args.n, "median_s": statistics.median(times), "times": times,
                      "cpu_median_s": statistics.median(cpu),
                      "input_bytes": input_bytes, "peak_extra_bytes": extra,
                      "peak_rel_input": extra / input_bytes}))


if __name__ == "__main__":
    main()
