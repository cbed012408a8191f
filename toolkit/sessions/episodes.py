"""What every session rule returns (:class:`Episodes`), and how rules are compared with planted truth.

A rule (:func:`~toolkit.sessions.drop_below_running_mean`, :func:`~toolkit.sessions.sudden_gains`,
:func:`~toolkit.sessions.sudden_losses`) takes a long table of scores and returns an :class:`Episodes`
result: one row per episode, per-client counts, and the evaluation of every session (or interval) with the
reason when it could not be judged. The rule's name and parameters travel with every row, so tables of
several rules can be stacked (:func:`combine_episodes`) and compared (:func:`detection_rates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._results import Result
from ..exceptions import InvalidParameterError

__all__ = ["Episodes", "combine_episodes", "detection_rates", "EPISODE_COLUMNS"]

#: Columns every rule's episode table has after the ids (rule-specific columns follow).
EPISODE_COLUMNS = ["rule", "session", "from_session", "score", "level", "depth", "depth_sd", "repaired",
                   "repair_session", "repair_score", "sessions_to_repair", "parameters"]


@dataclass(kw_only=True, repr=False, eq=False)
class Episodes(Result):
    """Episodes found by a session rule.

    Attributes
    ----------
    table : DataFrame
        One row per episode: the ids (client, and rater when given), ``rule``, ``session`` (where the
        episode shows: the low score of a drop, the post-change score of a sudden gain or loss),
        ``from_session`` (the scored session before it), ``score``, ``level`` (the reference the change is
        measured from: the running mean, or the pre-change score), ``depth`` (size of the change in score
        points, positive), ``depth_sd`` (in SDs, where the rule uses one), ``repaired`` (the score came back to
        ``level`` within the window; ``<NA>`` when the series ended before the window closed, or for rules
        without repair), ``repair_session``, ``repair_score``, ``sessions_to_repair``, ``parameters`` (the
        rule's parameters as text), then rule-specific columns.
    per_client : DataFrame
        One row per series: the ids, ``n_scores``, ``n_examined`` (sessions or intervals the rule could
        judge), ``n_episodes``, ``n_repaired``, ``n_not_repaired``, ``n_unknown``.
    examined : DataFrame
        One row per scored session (or interval): the ids, ``session``, the rule's quantities, ``examined``
        and ``reason`` (why a session was not judged: ``first sessions``, ``series too short``, ...).
    rule : str
        The rule's name.
    parameters : str
        Its parameters, as in the table.
    client, rater : str
        Id columns of the data.

    title : str
        What was computed on what.
    notes : list of str
        The rule or model and its parameters, missed sessions and short series, and every warning raised.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import drop_below_running_mean
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [38, 38.5, 37.5, 30, 38, 38]})
    >>> ep = drop_below_running_mean(d)
    >>> ep.n_episodes, ep.per_client["n_repaired"].tolist()
    (1, [1])
    """

    table: pd.DataFrame
    per_client: pd.DataFrame = field(default_factory=pd.DataFrame)
    examined: pd.DataFrame = field(default_factory=pd.DataFrame)
    rule: str = ""
    parameters: str = ""
    client: str = "client_id"
    rater: str = ""

    @property
    def n_episodes(self) -> int:
        """Number of episodes found."""
        return len(self.table)

    def _display_tables(self) -> dict:
        return {"table": self.table, "per_client": self.per_client}


def combine_episodes(*results) -> pd.DataFrame:
    """Stack the episode tables of several rule results (the common columns, rule by rule).

    Parameters
    ----------
    *results : Episodes
        Rule results on data with the same id columns.

    Returns
    -------
    DataFrame
        The ids and :data:`EPISODE_COLUMNS`, one row per episode of every result.

    Notes
    -----
    The ids, then :data:`EPISODE_COLUMNS`; each row keeps its rule and parameters.

    R equivalent: ``rbind`` of the tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import combine_episodes, drop_below_running_mean
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 7), "srs": [38, 38.5, 37.5, 30, 38, 38]})
    >>> both = combine_episodes(drop_below_running_mean(d, k=1), drop_below_running_mean(d, k=2))
    >>> both[["client_id", "session", "parameters"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['a', 4, 'k=1, sd=person, min_prior=2, window=3, reliable_change=None'],
     ['a', 4, 'k=2, sd=person, min_prior=2, window=3, reliable_change=None']]
    """
    tables = []
    for r in results:
        if not isinstance(r, Episodes):
            raise InvalidParameterError(f"combine_episodes() takes Episodes results; got a {type(r).__name__}.")
        ids = [r.client] + ([r.rater] if r.rater else [])
        tables.append(r.table[ids + EPISODE_COLUMNS])
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=EPISODE_COLUMNS)


def detection_rates(results, truth, *, client: str = "dyad_id", tolerance: int = 0) -> pd.DataFrame:
    """Recall and false alarms of rule results against planted episodes (simulated data).

    Parameters
    ----------
    results : Episodes or list of Episodes
        Rule results on the same data.
    truth : DataFrame or list of dict
        Planted episodes with ``client`` ids, ``session`` (where the drop happens) and ``repair_session``
        (first session back on trend), e.g. ``load_truth()["ruptures"]``.
    client : str
        The id column of ``truth`` (and of the results).
    tolerance : int
        A detection counts for an episode when its session is within ``tolerance`` sessions after the
        planted session (0: the same session).

    Returns
    -------
    DataFrame
        One row per rule and parameters: ``planted``, ``judged`` (planted episodes whose session the rule
        could judge), ``found``, ``recall`` (found / planted), ``recall_judged`` (found / judged),
        ``sessions_judged`` (outside planted episodes), ``false_alarms`` (episodes starting outside any planted
        episode) and ``false_alarm_rate`` (per session judged outside episodes).

    Notes
    -----
    A session is "outside" when it is not in ``[session, repair_session)`` of a planted episode of the
    client. Episodes a rule starts inside a planted episode but after its ``tolerance`` window are neither
    hits nor false alarms.

    R equivalent: none.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.sessions import detection_rates, drop_below_running_mean
    >>> d = pd.DataFrame({"client_id": "a", "session": range(1, 9), "srs": [38, 38, 38, 30, 38, 38, 30, 38]})
    >>> truth = [{"client_id": "a", "session": 4, "repair_session": 5}]
    >>> r = detection_rates(drop_below_running_mean(d, k=1, sd=2.0), truth, client="client_id")
    >>> r[["planted", "found", "false_alarms"]].values.tolist()
    [[1, 1, 1]]
    """
    results = [results] if isinstance(results, Episodes) else list(results)
    truth = pd.DataFrame(list(truth)) if not isinstance(truth, pd.DataFrame) else truth
    need = {client, "session", "repair_session"}
    if not need <= set(truth.columns):
        raise InvalidParameterError(f"detection_rates(): truth needs the columns {sorted(need)}; it has "
                                    f"{list(truth.columns)}.")
    inside = set()
    for c, s, r in zip(truth[client], truth["session"], truth["repair_session"]):
        inside.update((str(c), int(q)) for q in range(int(s), int(r)))
    rows = []
    for res in results:
        ex = res.examined
        judged_cells = set(zip(ex.loc[ex["examined"], res.client].astype(str), ex.loc[ex["examined"], "session"]))
        found_cells = set(zip(res.table[res.client].astype(str), res.table["session"]))
        planted = judged = found = 0
        for c, s in zip(truth[client].astype(str), truth["session"].astype(int)):
            planted += 1
            window = [(c, s + d) for d in range(tolerance + 1)]
            judged += any(w in judged_cells for w in window)
            found += any(w in found_cells for w in window)
        outside_judged = sum(1 for cell in judged_cells if cell not in inside)
        false_alarms = sum(1 for cell in found_cells if cell not in inside)
        rows.append({"rule": res.rule, "parameters": res.parameters, "planted": planted, "judged": judged,
                     "found": found, "recall": found / planted if planted else np.nan,
                     "recall_judged": found / judged if judged else np.nan, "sessions_judged": outside_judged,
                     "false_alarms": false_alarms,
                     "false_alarm_rate": false_alarms / outside_judged if outside_judged else np.nan})
    return pd.DataFrame(rows)
