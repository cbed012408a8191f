"""What every benchmark script shares: timing, peak memory, machine facts and stored runs.

A script builds a :class:`Run`, times cases with :meth:`Run.time` (median of repeats, first call
apart), records peer timings measured elsewhere (R through ``Rscript``) with :meth:`Run.record`,
declares ratios with :meth:`Run.ratio` and writes everything with :meth:`Run.save` to
``benchmarks/results/<bench>/<UTC time>.json``: the machine, the library versions, the load average
before and after, every median and every peer ratio. ``compare.py`` reads the newest run of each
bench and the one before it and prints what got slower.

:func:`measure_case` runs one case of ``_cases.py`` in a fresh subprocess and returns its times and
its peak resident memory above what the process held before the call (Linux: the high-water mark is
reset through ``/proc/self/clear_refs`` just before the call), so memory is measured per case.

The machine these numbers come from is usually shared: timings are medians of several repeats and
peers run in the same run, so compare ratios rather than seconds across machines or runs.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"


# ------------------------------------------------------------------ machine and versions
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on every platform
        return None


def machine() -> dict:
    """Facts that decide whether two runs can be compared second for second."""
    info = {"platform": platform.platform(), "cpu": _cpu_model(), "cores": os.cpu_count(),
            "memory_gb": _memory_gb(), "python": platform.python_version()}
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = sorted({f"{d.get('internal_api')} {d.get('version')} ({d.get('num_threads')} threads)"
                               for d in threadpool_info() if d.get("user_api") == "blas"})
    except Exception:  # noqa: BLE001 - informative only
        pass
    return info


def _version(module: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return None


_R_VERSIONS: dict | None = None


def r_versions() -> dict:
    """R and psych versions (empty without Rscript); asked once per process."""
    global _R_VERSIONS
    if _R_VERSIONS is None:
        _R_VERSIONS = {}
        if shutil.which("Rscript"):
            out = subprocess.run(["Rscript", "-e", 'cat(paste(R.version$major, R.version$minor, sep = "."), '
                                  'as.character(packageVersion("psych")))'],
                                 capture_output=True, text=True, timeout=120)
            parts = out.stdout.split()
            if out.returncode == 0 and len(parts) == 2:
                _R_VERSIONS = {"R": parts[0], "psych": parts[1]}
    return _R_VERSIONS


def versions() -> dict:
    """Library versions and the toolkit's commit (``+dirty`` when the work tree has changes)."""
    out = {name: _version(dist) for name, dist in (
        ("numpy", "numpy"), ("scipy", "scipy"), ("pandas", "pandas"), ("scikit-learn", "scikit-learn"),
        ("threadpoolctl", "threadpoolctl"), ("pingouin", "pingouin"), ("factor_analyzer", "factor_analyzer"),
        ("semopy", "semopy"), ("numba", "numba"))}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "toolkit"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        out["toolkit_commit"] = (commit + ("+dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        out["toolkit_commit"] = None
    # a copy of the code outside git (e.g. an export of an older commit, benchmarked for a before/after table)
    out["toolkit_commit"] = os.environ.get("BENCH_TOOLKIT_COMMIT") or out["toolkit_commit"]
    return out


# ------------------------------------------------------------------ timing
def median_time(fn, repeat: int, *, warmup: bool = True) -> dict:
    """Median, min and max wall time of ``fn()`` over ``repeat`` calls; the first call is timed apart.

    ``cpu_median_s`` is the median CPU time of this process (all its threads) per call: on a busy machine
    wall time grows with the other processes' load, CPU time much less, so the two together tell how
    much of a slowdown is load.
    """
    first = None
    if warmup:
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(max(1, repeat)):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return _timing(times, cpu, first)


def _timing(times: list, cpu: list, first) -> dict:
    """The record of a timed case: wall median, min and max, CPU median, repeats and the first call apart."""
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "repeats": len(times),
            "cpu_median_s": statistics.median(cpu), "first_s": first}


def paired_times(fn_a, fn_b, repeat: int, *, warmup: bool = True) -> tuple[dict, dict, float]:
    """Time ``fn_a`` and ``fn_b`` alternately (a, b, a, b, ...), ``repeat`` calls each.

    On a shared machine the other jobs' load then falls on both alike, so their ratio is steadier than
    that of two runs taken one after the other. Returns the two records (as :func:`median_time`) and the
    median of the per-pair ratios a / b.
    """
    first = [None, None]
    if warmup:
        for i, fn in enumerate((fn_a, fn_b)):
            t0 = time.perf_counter()
            fn()
            first[i] = time.perf_counter() - t0
    times, cpu = ([], []), ([], [])
    for _ in range(max(1, repeat)):
        for i, fn in enumerate((fn_a, fn_b)):
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t0)
            cpu[i].append(time.process_time() - c0)
    recs = [{**_timing(t, c, f), "interleaved": True} for t, c, f in zip(times, cpu, first)]
    return recs[0], recs[1], statistics.median(a / b for a, b in zip(*times))


def r_elapsed(script: str, timeout: float = 1800) -> list[float] | None:
    """Run an R script that prints ``ELAPSED <seconds> ...`` lines; the numbers of the last such line."""
    if shutil.which("Rscript") is None:
        return None
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=timeout)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("ELAPSED"):
            return [float(v) for v in line.split()[1:]]
    tail = (out.stderr.strip().splitlines() or [out.stdout[-200:]])[-1]
    print(f"  (R failed: {tail})")
    return None


# ------------------------------------------------------------------ one case in a fresh process
def measure_case(task: str, n: int, *, runs: int = 3, mem_limit_gb: float = 6.0, timeout: float = 1200) -> dict:
    """Time ``task`` of ``_cases.py`` on ``n`` rows in a fresh subprocess; peak memory of the first call.

    Returns the runner's record (``median_s``, ``times``, ``input_bytes``, ``peak_extra_bytes``,
    ``peak_rel_input``), or ``{"error": ...}`` when the case fails, exceeds ``mem_limit_gb`` of address
    space or ``timeout`` seconds.
    """
    cmd = [sys.executable, str(Path(__file__).with_name("_run_case.py")), task, str(n), "--runs", str(runs),
           "--mem-limit-gb", str(mem_limit_gb)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        err = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": err[:200]}
    return json.loads(lines[-1])


# ------------------------------------------------------------------ a run and its record
class Run:
    """One run of one benchmark script: cases, peer timings and ratios, saved as JSON."""

    def __init__(self, bench: str, args=None):
        self.bench = bench
        self.cases: dict[str, dict] = {}
        self.ratios: dict[str, dict] = {}
        self.started = _dt.datetime.now(_dt.timezone.utc)
        self.load_start = load_average()
        self.args = vars(args) if args is not None and hasattr(args, "__dict__") else {}

    def time(self, case: str, fn, repeat: int, *, who: str = "toolkit", what: str = "", target_s=None,
             warmup: bool = True, **params) -> dict:
        rec = median_time(fn, repeat, warmup=warmup)
        return self.record(case, who=who, what=what, target_s=target_s, **rec, **params)

    def time_pair(self, case_a: str, fn_a, case_b: str, fn_b, repeat: int, *, who_a: str = "toolkit",
                  who_b: str = "toolkit", what_a: str = "", what_b: str = "", target_s=None) -> float:
        """Time two cases alternately (:func:`paired_times`) and record both; ``target_s`` applies to ``case_a``.
        Returns the median of the per-pair ratios a / b, also stored in ``case_a``'s record."""
        a, b, ratio = paired_times(fn_a, fn_b, repeat)
        self.record(case_b, who=who_b, what=what_b, **b)
        self.record(case_a, who=who_a, what=what_a, target_s=target_s, paired_ratio=ratio, paired_with=case_b, **a)
        return ratio

    def record(self, case: str, *, who: str = "toolkit", what: str = "", target_s=None, median_s=None,
               **fields) -> dict:
        rec = {"who": who, "what": what, "median_s": median_s, **fields}
        if target_s is not None:
            rec["target_s"] = target_s
            rec["met"] = bool(median_s is not None and median_s <= target_s)
        self.cases[case] = rec
        return rec

    def ratio(self, name: str, numerator: str, denominator: str, *, target_max=None, target_min=None,
              what: str = "") -> float | None:
        """``numerator`` median / ``denominator`` median (e.g. peer / toolkit), with an optional target."""
        a = self.cases.get(numerator, {}).get("median_s")
        b = self.cases.get(denominator, {}).get("median_s")
        value = a / b if a is not None and b else None
        rec = {"numerator": numerator, "denominator": denominator, "value": value, "what": what}
        if target_max is not None:
            rec["target_max"] = target_max
            rec["met"] = value is not None and value <= target_max
        if target_min is not None:
            rec["target_min"] = target_min
            rec["met"] = value is not None and value >= target_min
        self.ratios[name] = rec
        return value

    def save(self, directory: Path | None = None) -> Path:
        folder = (directory or RESULTS) / self.bench
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
        path = folder / f"{stamp}.json"
        record = {
            "schema": 1, "bench": self.bench, "started_utc": self.started.isoformat(timespec="seconds"),
            "finished_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "args": self.args, "machine": machine(), "versions": {**versions(), **r_versions()},
            "load_average": {"start": self.load_start, "end": load_average()},
            "cases": self.cases, "ratios": self.ratios,
        }
        path.write_text(json.dumps(record, indent=1, default=_plain) + "\n")
        print(f"\nstored {path.relative_to(ROOT)} (load average {self.load_start} -> {load_average()}: "
              "timings are under load on a shared machine)")
        return path


def _plain(value):
    """JSON for numpy scalars and other odd values."""
    try:
        return value.item()
    except AttributeError:
        return str(value)


def fmt_s(seconds) -> str:
    if seconds is None:
        return "   -    "
    if seconds < 1e-3:
        return f"{seconds * 1e6:6.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:6.1f} ms"
    return f"{seconds:7.2f} s"
