"""Compare the newest stored run of each benchmark with the run before it; print what got slower.

Reads ``benchmarks/results/<bench>/*.json`` (written by the bench scripts, see ``_harness.py``). For
every case present in both runs it prints the newest median against the previous one and flags a
slowdown when the time grew by more than ``--threshold`` (default 1.3x: the machines these run on
are shared, and medians move by 10-20% between runs) and by more than 1 ms. Ratios to peers are
compared the same way (a peer ratio is machine independent, so it is the better signal when the
two runs come from different machines, which is said). Targets missed in the newest run are listed.

Run:  .venv/bin/python benchmarks/compare.py [--threshold 1.3] [--bench scoring] [--strict] [--baseline oldest]
``--strict`` exits with status 1 when anything got slower (for CI); by default it only reports.
``--baseline oldest`` compares with the first stored run instead of the previous one; ``--table`` prints
every case side by side (median and minimum, before and after) as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _runs(bench_dir: Path) -> list[Path]:
    return sorted(bench_dir.glob("*.json"))


def _same_machine(a: dict, b: dict) -> bool:
    keys = ("cpu", "cores", "memory_gb")
    return all(a.get("machine", {}).get(k) == b.get("machine", {}).get(k) for k in keys)


def _fmt(seconds) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def compare(old: dict, new: dict, threshold: float) -> tuple[list[str], list[str], list[str]]:
    """(slower, faster, missed targets) as printable lines."""
    slower, faster, missed = [], [], []
    for case, rec in new["cases"].items():
        m1 = rec.get("median_s")
        if rec.get("met") is False:
            missed.append(f"{case}: {_fmt(m1)} > target {_fmt(rec.get('target_s'))}")
        if rec.get("peak_met") is False:
            missed.append(f"{case}: peak memory {rec.get('peak_mb'):,.0f} MB > target {rec.get('peak_target_mb'):,} MB")
        m0 = old["cases"].get(case, {}).get("median_s")
        if not m0 or not m1:
            continue
        line = f"{case:<40} {_fmt(m0):>10} -> {_fmt(m1):>10}  ({m1 / m0:5.2f}x)  [{rec.get('who', '')}]"
        if m1 > threshold * m0 and m1 - m0 > 1e-3:
            slower.append(line)
        elif m0 > threshold * m1 and m0 - m1 > 1e-3:
            faster.append(line)
    for name, rec in new.get("ratios", {}).items():
        v1 = rec.get("value")
        if rec.get("met") is False:
            bound = rec.get("target_max", rec.get("target_min"))
            missed.append(f"ratio {name}: {v1 if v1 is None else round(v1, 3)} (target "
                          f"{'<=' if 'target_max' in rec else '>='} {bound})")
        v0 = old.get("ratios", {}).get(name, {}).get("value")
        if not v0 or not v1:
            continue
        # a ratio is worse when it moves toward the toolkit being relatively slower
        toolkit_first = new["cases"].get(rec["numerator"], {}).get("who") == "toolkit"
        worse = v1 / v0 if toolkit_first else v0 / v1
        line = f"ratio {name:<50} {v0:8.3f} -> {v1:8.3f}"
        if worse > threshold:
            slower.append(line)
        elif 1 / worse > threshold:
            faster.append(line)
    return slower, faster, missed


def table(old: dict, new: dict) -> str:
    """Every case of ``new``: median and minimum wall time in both runs, and the ratio of the medians."""
    lines = ["| case | who | before median | before min | after median | after min | before / after |",
             "|---|---|---|---|---|---|---|"]
    for case, rec in new["cases"].items():
        o = old["cases"].get(case, {})
        m0, m1 = o.get("median_s"), rec.get("median_s")
        ratio = f"{m0 / m1:.1f}x" if m0 and m1 else (o.get("error") or rec.get("error") or "-")
        lines.append(f"| {case} | {rec.get('who', '')} | {_fmt(m0)} | {_fmt(o.get('min_s'))} | {_fmt(m1)} | "
                     f"{_fmt(rec.get('min_s'))} | {ratio} |")
    for name, rec in new.get("ratios", {}).items():
        v0, v1 = old.get("ratios", {}).get(name, {}).get("value"), rec.get("value")
        lines.append(f"| ratio: {name} | | {'-' if v0 is None else f'{v0:.2f}'} | | "
                     f"{'-' if v1 is None else f'{v1:.2f}'} | | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=1.3)
    ap.add_argument("--bench", help="only this benchmark (a folder of benchmarks/results)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when something got slower")
    ap.add_argument("--baseline", choices=("previous", "oldest"), default="previous",
                    help="the stored run to compare with (default: the one before the newest)")
    ap.add_argument("--table", action="store_true", help="print every case, before and after, as Markdown")
    args = ap.parse_args(argv)
    if not RESULTS.is_dir():
        print("no stored runs yet (benchmarks/results/ is empty): run the bench scripts first")
        return 0
    any_slower = False
    for bench_dir in sorted(p for p in RESULTS.iterdir() if p.is_dir()):
        if args.bench and bench_dir.name != args.bench:
            continue
        runs = _runs(bench_dir)
        if not runs:
            continue
        new = json.loads(runs[-1].read_text())
        print(f"== {bench_dir.name}: {runs[-1].name}  (toolkit {new['versions'].get('toolkit_commit')}, "
              f"load {new.get('load_average', {}).get('start')})")
        if len(runs) < 2:
            print("   first stored run: nothing to compare with")
            continue
        base = runs[0] if args.baseline == "oldest" else runs[-2]
        old = json.loads(base.read_text())
        print(f"   against {base.name}  (toolkit {old['versions'].get('toolkit_commit')}, "
              f"load {old.get('load_average', {}).get('start')})")
        if not _same_machine(old, new):
            print(f"   NOTE: different machines ({old['machine'].get('cpu')}, {old['machine'].get('cores')} cores vs "
                  f"{new['machine'].get('cpu')}, {new['machine'].get('cores')} cores): compare the ratios, not seconds")
        if args.table:
            print(table(old, new))
        slower, faster, missed = compare(old, new, args.threshold)
        for title, lines in ((f"SLOWER (> {args.threshold}x)", slower), (f"faster (> {args.threshold}x)", faster),
                             ("targets missed in the newest run", missed)):
            if lines:
                print(f"   {title}:")
                for line in lines:
                    print(f"     {line}")
        if not (slower or faster or missed):
            print(f"   no change beyond {args.threshold}x; every target met")
        any_slower |= bool(slower)
    return 1 if (args.strict and any_slower) else 0


if __name__ == "__main__":
    sys.exit(main())
