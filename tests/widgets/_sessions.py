"""The session views' inputs, built once from the shipped samples with the package's functions."""

from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd


@lru_cache(maxsize=None)
def inputs():
    import toolkit
    from toolkit.exceptions import SessionWarning
    from toolkit.sessions import (caseload_summary, clinical_change, drop_below_running_mean, session_alerts,
                                  session_scores, trajectories)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SessionWarning)  # dropouts with one or two sessions: named in the notes
        so = toolkit.load_sample("srs_ors_sessions")
        wai = pd.concat([
            session_scores(toolkit.load_sample("wai_sr_sessions"), "wai-sr", client="dyad_id", rater="rater",
                           metric="pomp", name="alliance"),
            session_scores(toolkit.load_sample("wai_s_therapist_sessions"), "wai-s", form="therapist",
                           client="dyad_id", rater="rater", metric="pomp", name="alliance")], ignore_index=True)
        srs = session_scores(so, "srs", client="dyad_id")
        ors = session_scores(so, "ors", client="dyad_id")
        panels = {"Alliance (WAI, POMP)": trajectories(wai, client="dyad_id", rater="rater", value="alliance"),
                  "Session rating (SRS)": trajectories(srs, "srs", client="dyad_id"),
                  "Outcome (ORS)": trajectories(ors, "ors", client="dyad_id")}
        ruptures = drop_below_running_mean(wai[wai["rater"] == "client"], k=1.5, client="dyad_id", value="alliance")
        alerts = [session_alerts(so, "srs", client="dyad_id"), session_alerts(so, "ors", client="dyad_id")]
        change = clinical_change(ors, "ors", client="dyad_id")
        summary = caseload_summary(*alerts, change=change)
    return {"panels": panels, "episodes": {"Alliance (WAI, POMP)": ruptures}, "alerts": alerts, "summary": summary,
            "ruptures": ruptures}
