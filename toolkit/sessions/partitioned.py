"""Session rules and alerts on a Dask DataFrame: shuffle once by client, then each partition on its own.

Every quantity of :func:`session_alerts`, :func:`clinical_change`, :func:`drop_below_running_mean`,
:func:`sudden_gains` and :func:`sudden_losses` belongs to one client's series, except the pooled within-client SD
of ``drop_below_running_mean(sd="sample" | "stricter")``. So a registry's data can be split by client: the
functions, given a Dask DataFrame, shuffle it once by the client column (all of a client's sessions, of every
rater, land in one partition), run the in-memory function on each partition, and return the same result type
whose tables are lazy Dask DataFrames:

* write a table without holding it in memory: ``alerts.latest.to_parquet("this_week/")``;
* or :func:`collect` the result: every table and the notes of every partition computed in one pass
  (``dask.compute``), merged, and the rows ordered by client, rater and session.

Each partition's table equals the in-memory function's rows for its clients (the same code runs on them), so the
collected tables equal the in-memory ones after ordering both by the ids. The pooled within-client SD is computed
first, in its own pass over the partitions (partial sums per partition, exactly as :func:`pooled_within_sd` sums
them), and handed to every partition as ``sample_sd``. Warnings of the partitions are not issued on the workers:
they are in the notes, and :func:`collect` issues each (merged over partitions) once.
"""

from __future__ import annotations

import functools
import inspect
import re

import numpy as np
import pandas as pd

from .._checks import collected_warnings, warn
from ..scoring.partitioned import is_dask_collection

__all__ = ["by_client", "collect", "is_dask_collection"]

#: tables of each result type that are per-row data (lazy Dask DataFrames on a partitioned result)
_TABLES = {"Alerts": ("table", "by_session", "latest"), "ClinicalChange": ("table",),
           "Episodes": ("table", "per_client", "examined")}
_LAZY_NOTE = ("Computed per partition of client ids (Dask): the tables are lazy Dask DataFrames. "
              "toolkit.sessions.collect(result) computes them together, with every partition's notes; "
              "or write one with .to_parquet(folder).")


def by_client(func):
    """Decorator: ``func(data, ...)`` on a Dask DataFrame runs partition by partition after one shuffle by client.

    A pandas DataFrame goes straight to ``func``. The wrapped function keeps its signature and docstring.
    """

    @functools.wraps(func)
    def wrapper(data, *args, **kwargs):
        if not is_dask_collection(data):
            return func(data, *args, **kwargs)
        return _partitioned(func, data, args, kwargs)

    return wrapper


def _run(func, part: pd.DataFrame, args, kwargs, empty):
    """``func`` on one partition, its toolkit warnings kept (not issued on the worker)."""
    if not len(part):
        return empty, []
    with collected_warnings() as got:
        result = func(part, *args, **kwargs)
    return result, got


def _partitioned(func, data, args, kwargs):
    import dask
    import dask.dataframe as dd

    bound = inspect.signature(func).bind(data, *args, **kwargs)
    bound.apply_defaults()
    client = bound.arguments.get("client", "client_id")
    if client not in data.columns:
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError(
            f"The 'client' parameter of {func.__name__}() names the column {client!r}, which the data do not have; "
            f"its columns are {list(data.columns)[:20]}. Pass client='<column>'.")
    if func.__name__ == "drop_below_running_mean":
        kwargs = _with_sample_sd(data, args, kwargs, bound)
    shuffled = data.shuffle(on=client)
    # the template of every table (meta) and the result of an empty partition: the function on the first rows
    head = data.head(50, npartitions=-1)
    if not len(head):
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError(f"The 'data' parameter of {func.__name__}() is a Dask DataFrame without rows.")
    with collected_warnings():
        empty = _emptied(func(head, *args, **kwargs))
    parts = [dask.delayed(_run, pure=True)(func, p, args, kwargs, empty) for p in shuffled.to_delayed()]
    kind = type(empty).__name__
    lazy = {}
    for name in _TABLES[kind]:
        meta = getattr(empty, name)
        pieces = [dask.delayed(_table, pure=True)(p, name) for p in parts]
        lazy[name] = dd.from_delayed(pieces, meta=meta, verify_meta=False)
    if kind == "ClinicalChange":
        lazy["counts"] = dd.from_delayed([dask.delayed(_merged_counts, pure=True)(parts)], meta=empty.counts,
                                         verify_meta=False)
    result = _replace(empty, **lazy)
    result.title = re.sub(r"(: )?\d+ (raised over|found|episodes).*$|: (recovered|needs).*$", "", empty.title) \
        + f" (lazy: {shuffled.npartitions} partitions by {client})"
    result.notes = [n for n in empty.notes if not re.match(r"^\d+ ", n)] + [_LAZY_NOTE]
    object.__setattr__(result, "_partitions", parts)
    return result


def _emptied(result):
    kind = type(result).__name__
    fields = {name: getattr(result, name).iloc[:0] for name in _TABLES[kind]}
    if kind == "ClinicalChange":
        fields["counts"] = result.counts.assign(clients=0, share=0.0)
    return _replace(result, **fields)


def _table(part, name):
    return getattr(part[0], name)


def _replace(result, **fields):
    import copy

    out = copy.copy(result)
    out.notes = list(result.notes)
    for k, v in fields.items():
        setattr(out, k, v)
    return out


def _with_sample_sd(data, args, kwargs, bound):
    """``sample_sd`` for sd='sample'/'stricter': the pooled within-client SD of every partition, first."""
    import dask

    sd = bound.arguments.get("sd", "person")
    if not isinstance(sd, str) or sd == "person" or bound.arguments.get("sample_sd") is not None:
        return kwargs
    from ._panel import build_panel
    from .series import _value_column

    a = bound.arguments
    value = a.get("value")
    client, session, rater = a.get("client"), a.get("session"), a.get("rater")

    def partial(part):
        if not len(part):
            return 0.0, 0
        col = _value_column(part, value, [client, session, rater], "drop_below_running_mean")
        y = build_panel(part, value=col, client=client, session=session, rater=rater,
                        caller="drop_below_running_mean").values
        ok = ~np.isnan(y)
        n = ok.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(ok, y, 0.0).sum(axis=1) / n
        ss = np.where(ok, y - mean[:, None], 0.0) ** 2
        use = n >= 2
        return float(ss[use].sum()), int((n[use] - 1).sum())

    shuffled = data.shuffle(on=client)
    sums = dask.compute(*[dask.delayed(partial, pure=True)(p) for p in shuffled.to_delayed()])
    ss = sum(s for s, _ in sums)
    df = sum(d for _, d in sums)
    return {**kwargs, "sample_sd": float(np.sqrt(ss / df)) if df > 0 else float("nan")}


# ----------------------------------------------------------------- collecting
def collect(result, **compute_options):
    """Compute a partitioned session result: every table and note, in one pass over the data.

    Parameters
    ----------
    result : Alerts, ClinicalChange or Episodes
        Returned by a session function given a Dask DataFrame.
    **compute_options
        Passed to ``dask.compute`` (e.g. ``scheduler="sync"``); a running ``distributed.Client`` is used by
        default.

    Returns
    -------
    Alerts, ClinicalChange or Episodes
        The same result type with pandas tables, ordered by client (and rater) and session; notes merged over
        the partitions (counts added, ids listed), and each warning of the in-memory function issued once.

    Notes
    -----
    Each partition holds every session of its clients (the data were shuffled by client), so a partition's
    rows are those the in-memory function gives for the same clients; only the row order differs.

    R equivalent: none (R holds a registry in memory, or splits it by client by hand).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd
    >>> from toolkit.sessions import clinical_change, collect
    >>> d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 5, 1, 5], "ors": [18.0, 27.0, 20, 19]})
    >>> lazy = clinical_change(dd.from_pandas(d, npartitions=2), "ors")
    >>> collect(lazy, scheduler="sync").table[["client_id", "category"]].values.tolist()
    [['a', 'recovered'], ['b', 'unchanged']]
    """
    import dask

    parts = getattr(result, "_partitions", None)
    if parts is None:
        from ..exceptions import InvalidParameterError

        raise InvalidParameterError("collect() takes the result of a session function given a Dask DataFrame; this "
                                    f"{type(result).__name__} is already in memory.")
    computed = dask.compute(*parts, **compute_options)
    results = [r for r, _ in computed]
    kind = type(result).__name__
    keys = [result.client] + ([result.rater] if getattr(result, "rater", "") else [])
    out = _replace(results[0])
    for name in _TABLES[kind]:
        frames = [getattr(r, name) for r in results]
        table = pd.concat(frames, ignore_index=True) if frames else getattr(result, name).compute()
        order = [c for c in keys + [getattr(result, "session", "session")] if c in table.columns]
        setattr(out, name, table.sort_values(order, kind="stable").reset_index(drop=True) if len(table) else table)
    notes = _merge_texts([r.notes for r in results])
    warned = _merge_texts([[m for _, m in w] for _, w in computed])
    categories = {m: c for _, w in computed for c, m in w}
    if kind == "ClinicalChange":
        out.counts = _merged_counts(computed)
        out.title = re.sub(r": .*$", "", results[0].title) + ": " + ", ".join(
            f"{c} {k}" for c, k in zip(out.counts["category"], out.counts["clients"]))
    elif kind == "Alerts":
        out.title = re.sub(r": \d+ raised over \d+ sessions$", "", results[0].title) + \
            f": {len(out.table)} raised over {len(out.by_session)} sessions"
    else:
        out.title = re.sub(r"\d+ (episodes|found)$", lambda m: f"{len(out.table)} {m.group(1)}", results[0].title)
    out.notes = notes + [f"Computed per partition of client ids (Dask, {len(results)} partitions); rows ordered by "
                         f"{', '.join(keys)} and session."]
    for message in warned:
        first = next((m for m in categories if _shape(m) == _shape(message)), None)
        warn(message, categories.get(first, UserWarning))
    return out


def _merged_counts(parts):
    from .alerts import CATEGORIES

    tables = [p[0].table for p in parts if len(p[0].table)]
    category = pd.concat(tables)["category"] if tables else pd.Series([], dtype=object)
    counts = pd.DataFrame({"category": list(CATEGORIES),
                           "clients": [int((category == c).sum()) for c in CATEGORIES]})
    counts["share"] = counts["clients"] / max(int((category != "").sum()), 1)
    return counts


_COUNT = re.compile(r"^(\d+) ")
_IDS = re.compile(r": ([^ ,:]+(?:, [^ ,:]+)*(?: and \d+ more)?)\.(?= |$)")


def _split(text: str):
    """``(count, skeleton, ids)`` of a note that starts with a count (ids: the list it names), else None."""
    m = _COUNT.match(text)
    if m is None:
        return None
    rest = text[m.end():]
    ids = _IDS.search(rest)
    if ids is None:
        return int(m.group(1)), rest, []
    listed = re.sub(r" and \d+ more$", "", ids.group(1))
    return int(m.group(1)), rest[:ids.start(1)] + "{ids}" + rest[ids.end(1):], listed.split(", ")


def _shape(text: str) -> str:
    parts = _split(text)
    return parts[1] if parts else text


def _merge_texts(lists) -> list:
    """Notes (or warnings) of several partitions as one list: the same text once; texts that start with a count
    and differ only in it and in the ids they list (``"3 clients have ...: a, b, c."``) added up."""
    out, counted = [], {}
    for texts in lists:
        for text in texts:
            parts = _split(text)
            if parts is None:
                if text not in out:
                    out.append(text)
                continue
            n, skeleton, ids = parts
            if skeleton not in counted:
                counted[skeleton] = [0, []]
                out.append(skeleton)
            counted[skeleton][0] += n
            counted[skeleton][1] += ids
    final = []
    for text in out:
        if text in counted:
            n, ids = counted[text]
            ids = sorted(dict.fromkeys(ids))
            shown = ", ".join(ids[:8]) + (f" and {n - len(ids[:8])} more" if n > len(ids[:8]) else "")
            final.append(f"{n} " + text.replace("{ids}", shown))
        else:
            final.append(text)
    return final
