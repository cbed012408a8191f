"""Measure, in simulated (or shipped) tables, the effects the generator was built to show.

:func:`observed_effects` recomputes from the item responses the four published
effects of ``TARGETS`` (client-therapist r and d, alliance-outcome r, SRS-WAI r);
:func:`rupture_drops` shows how deep each true rupture episode is in the
observed WAI-SR totals. Scores here are plain sums of the keyed items, prorated
from the answered items (mean x number of items); the toolkit's scoring engine
(:func:`toolkit.score`) is the tool for real work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .generator import TARGETS, item_columns

__all__ = ["observed_effects", "session_norms", "rupture_drops", "total_score", "choose_seed", "NORMS"]

#: Published SRS and ORS values the session-rating and outcome lines were recalibrated to
#: (``None``: shown for information, no published target). See ``data-samples/README.md``.
NORMS = {
    "srs_mean": {"target": 36.5, "measured_as": "mean SRS total over all recorded sessions",
                 "source": "about 36-38 in published adult samples (Duncan et al. 2003; Campbell & Hemsley 2009)"},
    "srs_sd": {"target": 3.5, "measured_as": "SD of the SRS total over all recorded sessions",
               "source": "our reading of the published range"},
    "srs_below_cut": {"target": None, "measured_as": "share of SRS totals below 36 (the low_total alert)",
                      "source": "-"},
    "srs_at_max": {"target": None, "measured_as": "share of SRS totals at 40 (all four lines at the end)",
                   "source": "-"},
    "ors_intake_mean": {"target": 19.6, "measured_as": "mean ORS total at session 1",
                        "source": "Miller et al. (2003), clinical sample"},
    "ors_intake_sd": {"target": 7.5, "measured_as": "SD of the ORS total at session 1",
                      "source": "our reading of the published range"},
    "ors_intake_clinical": {"target": None, "measured_as": "share of ORS totals below 25 at session 1",
                            "source": "-"},
    "ors_change_d": {"target": 1.0, "measured_as": "(last - first ORS total) / SD of the first, clients who did "
                                                   "not drop out",
                     "source": "Murphy, Rakes & Harris (2020): mean ORS effect size 1.00"},
}


def total_score(data: pd.DataFrame, instrument_id: str, form: str | None = None) -> pd.Series:
    """Prorated total (mean of the answered keyed items x number of items) of each row.

    >>> import pandas as pd
    >>> total_score(pd.DataFrame({"wai_sr_%02d" % k: [3.0] for k in range(1, 13)}), "wai-sr").tolist()
    [36.0]
    """
    from ..instrument import load_instrument

    ins = load_instrument(instrument_id)
    scale = ins.scale_for(form)
    cols = item_columns(ins.id, ins.n_items)
    x = data[cols].astype(float).to_numpy(copy=True)
    rev = [k - 1 for k in ins.reversed_items]
    x[:, rev] = scale.min + scale.max - x[:, rev]
    return pd.Series(np.nanmean(x, axis=1) * ins.n_items, index=data.index, name="total")


def observed_effects(tables) -> pd.DataFrame:
    """The published effects as they show in the tables, next to their targets.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        A :class:`~toolkit.samples.SimulatedStudy` or ``{name: load_sample(name)}``
        with ``wai36_client_therapist``, ``wai_sr_sessions`` and ``srs_ors_sessions``.

    Returns
    -------
    pandas.DataFrame
        Indexed by effect, with ``value``, ``target`` and ``n`` (pairs used).

    Examples
    --------
    >>> from toolkit.samples import load_sample
    >>> from toolkit.samples.checks import observed_effects
    >>> names = ["wai36_client_therapist", "wai_sr_sessions", "srs_ors_sessions"]
    >>> observed_effects({n: load_sample(n) for n in names})[["value", "target"]].round(2)
                              value  target
    effect
    client_therapist_r         0.36    0.36
    client_minus_therapist_d   0.41    0.40
    alliance_outcome_r         0.27    0.28
    srs_wai_r                  0.58    0.60
    """
    out = {}
    w36 = tables["wai36_client_therapist"]
    tot = w36[["dyad_id", "rater"]].assign(total=total_score(w36, "wai36", "client"))
    wide = tot.pivot(index="dyad_id", columns="rater", values="total").dropna()
    c, t = wide["client"], wide["therapist"]
    out["client_therapist_r"] = (float(np.corrcoef(c, t)[0, 1]), len(wide))
    pooled = np.sqrt((c.var() + t.var()) / 2)
    out["client_minus_therapist_d"] = (float((c.mean() - t.mean()) / pooled), len(wide))

    sr = tables["wai_sr_sessions"]
    sr_tot = sr[["dyad_id", "session"]].assign(wai=total_score(sr, "wai-sr"))
    so = tables["srs_ors_sessions"]
    lines = so[["dyad_id", "session"]].assign(
        ors=so[item_columns("ors", 4)].sum(axis=1, min_count=4),
        srs=so[item_columns("srs", 4)].sum(axis=1, min_count=4),
    )
    lagged = sr_tot.assign(session=sr_tot["session"] + 1).merge(lines, on=["dyad_id", "session"]).dropna()
    out["alliance_outcome_r"] = (float(np.corrcoef(lagged["wai"], lagged["ors"])[0, 1]), len(lagged))
    same = sr_tot.merge(lines, on=["dyad_id", "session"]).dropna()
    out["srs_wai_r"] = (float(np.corrcoef(same["wai"], same["srs"])[0, 1]), len(same))
    return pd.DataFrame(
        {
            "value": [v for v, _ in out.values()],
            "target": [TARGETS[k]["value"] for k in out],
            "n": [n for _, n in out.values()],
        },
        index=pd.Index(list(out), name="effect"),
    )


def session_norms(tables) -> pd.DataFrame:
    """SRS and ORS as the tables show them, next to the published values (:data:`NORMS`).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        With ``srs_ors_sessions``; ``true_dyad_effects`` (or a :class:`~toolkit.samples.SimulatedStudy`,
        whose ``dyads`` are used) says who dropped out.

    Returns
    -------
    pandas.DataFrame
        Indexed by quantity, with ``value``, ``target`` (``NaN`` where nothing was published) and ``n``.

    Examples
    --------
    >>> from toolkit.samples import load_sample
    >>> norms = session_norms({n: load_sample(n) for n in ["srs_ors_sessions", "true_dyad_effects"]})
    >>> float(norms.loc["ors_intake_mean", "target"]), bool(abs(norms.loc["srs_mean", "value"] - 36.5) < 1)
    (19.6, True)
    """
    so = tables["srs_ors_sessions"]
    dyads = tables.dyads if hasattr(tables, "dyads") else tables["true_dyad_effects"]
    srs = so[item_columns("srs", 4)].sum(axis=1, min_count=4)
    ors = so[item_columns("ors", 4)].sum(axis=1, min_count=4)
    first_session = so["session"] == 1
    intake = ors[first_session].dropna()
    scored = so[["dyad_id", "session"]].assign(ors=ors).dropna().sort_values(["dyad_id", "session"])
    ends = scored.groupby("dyad_id")["ors"].agg(["first", "last"])
    stayed = set(dyads.loc[~dyads["dropout"].astype(bool), "dyad_id"])
    ends = ends[ends.index.isin(stayed)]
    srs_ok = srs.dropna()
    out = {
        "srs_mean": (srs_ok.mean(), len(srs_ok)),
        "srs_sd": (srs_ok.std(), len(srs_ok)),
        "srs_below_cut": ((srs_ok < 36).mean(), len(srs_ok)),
        "srs_at_max": ((srs_ok == 40).mean(), len(srs_ok)),
        "ors_intake_mean": (intake.mean(), len(intake)),
        "ors_intake_sd": (intake.std(), len(intake)),
        "ors_intake_clinical": ((intake < 25).mean(), len(intake)),
        "ors_change_d": (((ends["last"] - ends["first"]).mean() / ends["first"].std()), len(ends)),
    }
    return pd.DataFrame(
        {
            "value": [float(v) for v, _ in out.values()],
            "target": [np.nan if NORMS[k]["target"] is None else NORMS[k]["target"] for k in out],
            "n": [n for _, n in out.values()],
        },
        index=pd.Index(list(out), name="quantity"),
    )


def rupture_drops(sessions: pd.DataFrame, ruptures) -> pd.DataFrame:
    """Depth of each true rupture in the observed client WAI-SR totals.

    For each episode (``dyad_id``, ``session``, ``repair_session``) the drop is the
    client's mean total over the sessions outside any episode minus the total at
    the rupture session, in units of the client's within-person SD over those
    sessions (``drop_sd``); ``NaN`` when the rupture session was not recorded.

    Examples
    --------
    >>> from toolkit.samples import load_sample, load_truth
    >>> drops = rupture_drops(load_sample("wai_sr_sessions"), load_truth()["ruptures"])
    >>> list(drops.columns)
    ['dyad_id', 'session', 'depth_sd', 'depth_latent', 'repair_session', 'drop_sd']
    >>> round(float(drops["drop_sd"].median()), 1)
    3.3
    """
    tot = sessions[["dyad_id", "session"]].assign(total=total_score(sessions, "wai-sr"))
    ep = pd.DataFrame(list(ruptures))
    in_episode = set()
    for r in ep.itertuples():
        in_episode.update((r.dyad_id, s) for s in range(r.session, r.repair_session))
    mask = [(d, s) not in in_episode for d, s in zip(tot["dyad_id"], tot["session"])]
    calm = tot[mask].groupby("dyad_id")["total"].agg(["mean", "std"])
    at = tot.set_index(["dyad_id", "session"])["total"]
    drops = []
    for r in ep.itertuples():
        value = at.get((r.dyad_id, r.session), np.nan)
        m, sd = calm.loc[r.dyad_id, "mean"], calm.loc[r.dyad_id, "std"]
        drops.append((m - value) / sd if sd > 0 else np.nan)
    return ep.assign(drop_sd=drops)


def choose_seed(start: int = 20261122, tolerance: float = 0.02, max_tries: int = 500, **simulate_kwargs) -> int:
    """First seed from ``start`` upward whose tables show every ``TARGETS`` effect within ``tolerance``.

    This is how the seed of the shipped samples was chosen, so that they show the
    published effects a user expects; any other seed scatters around them by
    sampling error. A seed found this way is selected: its effects are closer to
    the targets than sampling error would put them (only about 1 seed in 70
    qualifies at the default tolerance), which ``data-samples/README.md`` says.

    Raises
    ------
    RuntimeError
        No seed qualified within ``max_tries``; widen ``tolerance`` or enlarge the samples.
    """
    from .generator import simulate

    for seed in range(start, start + max_tries):
        eff = observed_effects(simulate(seed=seed, **simulate_kwargs))
        if ((eff["value"] - eff["target"]).abs() < tolerance).all():
            return seed
    raise RuntimeError(
        f"no seed in {start}..{start + max_tries - 1} shows every target within {tolerance}; "
        "widen tolerance or raise max_tries"
    )
