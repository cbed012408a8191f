"""Benchmark of toolkit.dyadic and toolkit.agreement (issue 5): the widget's views must each redraw in < 0.3 s.

Measures, on the shipped samples (study A: 2,497 client-therapist session pairs; study B: 500 dyads):
  - pair_raters, agreement (all subscales, every interval), dyad_discrepancies, item_kappa;
  - each view for a new dyad: plot_scatter, plot_bland_altman, plot_profile, dyad_items (target < 0.3 s,
    drawing into an existing axes as the widget does);
  - APIM (REML GLS) on the sample dyads; and, for orientation, pingouin's intraclass_corr on the same
    500 dyads (after its import) against toolkit.icc.

Run:  .venv/bin/python benchmarks/bench_agreement.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    run = Run("agreement", args)
    import pandas as pd

    import toolkit
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from toolkit.dyadic import plots
    from toolkit.dyadic.dyads import dyad_items
    from toolkit.exceptions import PairingWarning

    warnings.simplefilter("ignore", PairingWarning)
    a_c, a_t = toolkit.load_sample("wai_sr_sessions"), toolkit.load_sample("wai_s_therapist_sessions")
    b = toolkit.load_sample("wai36_client_therapist")
    pa = toolkit.pair_raters(a_c, a_t, instrument_client="wai-sr", instrument_therapist="wai-s")
    pb = toolkit.pair_raters(b, instrument_client="wai36")
    ax = plots.plot_scatter(pb, "total")
    rows = []

    def add(name, fn, target=None):
        rec = run.time(name, fn, args.repeat, target_s=target, what=name,
                       who="pingouin" if name.startswith("pingouin") else "toolkit")
        rows.append({"task": name, "first_s": rec["first_s"], "median_s": rec["median_s"], "target_s": target,
                     "ok": rec.get("met")})

    add("pair_raters study A (2,786 + 2,654 rows)", lambda: toolkit.pair_raters(
        a_c, a_t, instrument_client="wai-sr", instrument_therapist="wai-s"))
    add("pair_raters study B (1,000 rows)", lambda: toolkit.pair_raters(b, instrument_client="wai36"))
    add("agreement study B (4 scores)", lambda: toolkit.agreement(pb))
    add("dyad_discrepancies study A", lambda: toolkit.dyad_discrepancies(pa))
    add("item_kappa study B (36 items)", lambda: toolkit.item_kappa(pb))
    add("view: plot_scatter into axes", lambda: plots.plot_scatter(pb, "bond", dyad="B002", ax=ax), 0.3)
    add("view: plot_bland_altman into axes", lambda: plots.plot_bland_altman(pb, "bond", dyad="B002", ax=ax), 0.3)
    add("view: plot_profile into axes", lambda: plots.plot_profile(pa, "A001", 3, ax=ax), 0.3)
    add("view: dyad_items", lambda: dyad_items(pa, "A001", 3), 0.3)
    add("view: new figure + scatter", lambda: plt.close(plots.plot_scatter(pb, "bond", dyad="B002").figure), 0.3)
    apim_data = pd.read_csv(Path(__file__).resolve().parents[1] / "tests/reference/agreement/apim_sample.csv")
    add("APIM REML (312 members)", lambda: toolkit.APIM().fit(apim_data))
    wide = pb.wide[["client_total", "therapist_total"]].dropna()
    add("toolkit.icc, 500 dyads", lambda: toolkit.icc(wide))
    try:
        import pingouin as pg

        long = wide.reset_index().melt(id_vars="index", var_name="rater", value_name="score")
        add("pingouin.intraclass_corr, 500 dyads", lambda: pg.intraclass_corr(long, "index", "rater", "score"))
    except ImportError:  # pragma: no cover
        pass
    out = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_colwidth", 50):
        print(out.round(4).to_string(index=False))
    run.save()


if __name__ == "__main__":
    main()
