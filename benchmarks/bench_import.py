"""Import time of ``toolkit`` in fresh processes, against ``import pingouin``.

Target: median wall time of ``python -c "import toolkit"`` <= 0.5 s.

Run: ``.venv/bin/python benchmarks/bench_import.py [--repeat 7]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Run  # noqa: E402
TARGET_S = 0.5

CASES = {
    "python (startup only)": "pass",
    "import toolkit": "import toolkit",
    "import toolkit + load_instrument('wai-sr')": "import toolkit; toolkit.load_instrument('wai-sr')",
    "import pingouin": "import pingouin",
}


def wall_times(code: str, repeat: int) -> list[float]:
    """Wall times of ``python -c code`` over ``repeat`` fresh processes (one warm-up run first)."""
    command = [sys.executable, "-c", code]
    subprocess.run(command, cwd=REPO_ROOT, check=True)  # warm the file cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO_ROOT, check=True)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per case (default 7)")
    args = parser.parse_args(argv)
    run = Run("import", args)

    results = {}
    for name, code in CASES.items():
        times = wall_times(code, args.repeat)
        results[name] = statistics.median(times)
        run.record(name, who="pingouin" if "pingouin" in name else ("python" if code == "pass" else "toolkit"),
                   what=f"python -c {code!r}, fresh processes", median_s=results[name], min_s=min(times),
                   max_s=max(times), repeats=len(times), target_s=TARGET_S if name == "import toolkit" else None)
    run.ratio("import pingouin / import toolkit", "import pingouin", "import toolkit")
    pingouin = results["import pingouin"]
    print(f"median wall time over {args.repeat} fresh processes ({sys.executable})")
    for name, seconds in results.items():
        print(f"  {name:<45} {seconds:7.3f} s   {seconds / pingouin:6.2f} x import pingouin")
    ours = results["import toolkit"]
    print(f"import toolkit: {ours:.3f} s, target <= {TARGET_S} s: {'met' if ours <= TARGET_S else 'MISSED'}; "
          f"pingouin / toolkit = {pingouin / ours:.1f}")
    run.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
