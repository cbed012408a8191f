"""Report speed: the clinic report for 500 clients x 20 sessions (SRS and ORS, 10,000 rows, 20,000 scores).

Target (issue 12): report generation under 5 s. Timed: ``clinic_report`` from the raw export to the finished
HTML page (scoring both instruments, flags, the attention list with one SVG chart per client needing
attention, the APA tables by great_tables); the first call (which also imports jinja2, great_tables and
polars) and the median of the warm calls are printed apart. There is no peer to compare with (no package
writes this report), so no ratio is printed. The validation report of 500 x 12 answers is timed once, for
information (its cost is the bootstrap and the CFA fits of the reliability table).

Run: ``.venv/bin/python benchmarks/bench_reports.py [--clients N] [--sessions K] [--repeat R]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd


def make_export(n_clients: int, n_sessions: int, seed: int = 1) -> pd.DataFrame:
    """SRS lines near 9 (a ceiling), ORS lines rising from about 5; 0-10 to one decimal, a few blanks."""
    rng = np.random.default_rng(seed)
    n = n_clients * n_sessions
    client = np.repeat([f"C{k:04d}" for k in range(1, n_clients + 1)], n_sessions)
    session = np.tile(np.arange(1, n_sessions + 1), n_clients)
    person = np.repeat(rng.normal(0, 0.6, n_clients), n_sessions)
    srs = np.clip(9.0 + person[:, None] + rng.normal(0, 0.6, (n, 4)), 0, 10).round(1)
    growth = np.repeat(rng.normal(0.12, 0.08, n_clients), n_sessions) * session
    ors = np.clip(5.0 + person[:, None] + growth[:, None] + rng.normal(0, 0.9, (n, 4)), 0, 10).round(1)
    srs[rng.random(srs.shape) < 0.002] = np.nan
    data = {"client_id": client, "session": session}
    data.update({f"srs_{k:02d}": srs[:, k - 1] for k in range(1, 5)})
    data.update({f"ors_{k:02d}": ors[:, k - 1] for k in range(1, 5)})
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    export = make_export(args.clients, args.sessions)

    from toolkit.reports import clinic_report

    t0 = time.perf_counter()
    rep = clinic_report(export, ["srs", "ors"])
    first = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rep = clinic_report(export, ["srs", "ors"])
        warm.append(time.perf_counter() - t0)
    try:
        import polars  # noqa: F401

        tables = "great_tables on polars"
    except ImportError:
        tables = "great_tables on pandas (install the reports extra for polars: faster tables)"
    print(f"clinic_report: {args.clients} clients x {args.sessions} sessions = {len(export)} rows, SRS + ORS; "
          f"{len(rep.attention)} clients need attention (one chart each); page {len(rep.html) / 1e6:.1f} MB; "
          f"tables: {tables}")
    print(f"  first call (imports included): {first:.2f} s")
    print(f"  warm, median of {args.repeat}:        {statistics.median(warm):.2f} s   (target < 5 s)")

    import toolkit
    from toolkit.reports import validation_report

    sessions = toolkit.load_sample("wai_sr_sessions")
    one = sessions[sessions["session"] == 2]
    t0 = time.perf_counter()
    validation_report(one, "wai-sr", n_boot=1000, n_iter=20)
    print(f"validation_report: {len(one)} x 12 (n_boot=1000, n_iter=20): {time.perf_counter() - t0:.2f} s "
          "(for information; no target)")


if __name__ == "__main__":
    main()
