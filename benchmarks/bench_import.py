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
TARGET_S = 0.5

CASES = {
    "python (startup only)": "pass",
    "import toolkit": "import toolkit",
    "import toolkit + load_instrument('wai-sr')": "import toolkit; toolkit.load_instrument('wai-sr')",
    "import pingouin": "import pingouin",
}


def median_wall_time(code: str, repeat: int) -> float:
    """Median wall time of ``python -c code`` over ``repeat`` fresh processes (one warm-up run first)."""
    command = [sys.executable, "-c", code]
    subprocess.run(command, cwd=REPO_ROOT, check=True)  # warm the file cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO_ROOT, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per case (default 7)")
    args = parser.parse_args(argv)

    results = {name: median_wall_time(code, args.repeat) for name, code in CASES.items()}
    pingouin = results["import pingouin"]
    print(f"median wall time over {args.repeat} fresh processes ({sys.executable})")
    for name, seconds in results.items():
        print(f"  {name:<45} {seconds:7.3f} s   {seconds / pingouin:6.2f} x import pingouin")
    ours = results["import toolkit"]
    print(f"import toolkit: {ours:.3f} s, target <= {TARGET_S} s: {'met' if ours <= TARGET_S else 'MISSED'}; "
          f"pingouin / toolkit = {pingouin / ours:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
