"""Scoring data that arrive in parts: a Dask DataFrame's partitions, or a file's chunks.

:class:`PartScorer` is set up once from the columns (and dtypes) of the data: it finds the item columns, the id
columns and the columns to carry, raises the column warnings once, and builds the empty result (Dask's
``meta``). It then scores any part with those columns by calling :func:`toolkit.score` on the part's item
columns with the instrument already loaded (one definition load for the whole run, none per part), and carries
the ids itself. A part's scores are exactly what :func:`toolkit.score` gives for the same rows in memory: the
engine is the same, and every quantity of a row is computed from that row alone.

Lazily (a Dask DataFrame), ``on_invalid`` means:

``"raise"``
    Computing a partition with a bad cell raises :class:`~toolkit.exceptions.DataValidationError` naming the
    partition, each bad cell's row (the partition's index label), id columns, column and value, with the
    partition's cells in ``err.report``. Nothing is raised before the data are read (that is what lazy means):
    to list every bad cell of every partition first, use :func:`toolkit.validate_responses` on the Dask
    DataFrame (itself lazy: write it with ``.to_csv(...)``), or the streamed command line
    (``alliance score big.parquet -o scored/``), which writes them to a CSV file.
``"missing"``
    Bad cells are scored as missing and counted in each row's ``n_invalid``, as in memory, but without the
    warning (it would be raised on a worker, once per partition) and without ``attrs["invalid_cells"]``
    (a lazy frame carries no table of them): ``validate_responses`` lists them.

Rows whose ``rater`` (or ``form``) column names a rater scored on another form are refused part by part, as in
memory. Scores are exact at the resolution of the data (:mod:`toolkit.scoring.exact`), found part by part: the
same numbers as in memory, except when some answer in the data is no decimal fraction of six places or fewer (a
third): in memory that leaves every score of the data as computed, in parts only the scores of its part, or of
its piece of :data:`PIECE_ROWS` rows in a larger part (they then differ from the in-memory ones by float
rounding noise, a few units in the last place).

Two checks of the in-memory engine look at more than one row and are left out part by part: rows that repeat
an earlier row (``DuplicateRowsWarning``; use ``drop_duplicates`` on the whole data) and the reliable change
from a person's first administration (``change_by=``; the session functions partition the data by client for
that). Long layout is refused: an administration's answers may straddle two partitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._checks import check_choice
from ..exceptions import DataValidationError, InvalidParameterError
from ..instrument import Instrument, load_instrument

__all__ = ["PartScorer", "is_dask_collection", "score_lazily", "validate_lazily"]

#: Rows scored at a time within a part: a Dask partition of a million rows is scored in four pieces, so the
#: engine's copies and temporaries are those of 250,000 rows; what a partition costs beyond that is its own data
#: on the way in and out (docs/users/scale.md has the measured peaks).
PIECE_ROWS = 250_000

#: The options of :func:`toolkit.score` that are handed to the engine for every part unchanged.
ENGINE_OPTIONS = ("form", "metric", "max_missing", "thresholds", "missing_codes", "response_scale",
                  "allow_unverified")


def is_dask_collection(obj) -> bool:
    """True for a Dask DataFrame (checked without importing dask)."""
    return type(obj).__module__.split(".")[0] == "dask" and hasattr(obj, "map_partitions")


class PartScorer:
    """Scores parts of one data set (see the module docstring).

    Parameters
    ----------
    meta : DataFrame
        An empty frame (or any rows) with the data's columns and dtypes.
    instrument : str, path or Instrument
        Loaded here, once.
    items, pattern, id_cols, keep
        As in :func:`toolkit.score`; resolved here from ``meta``'s columns.
    on_invalid : {"raise", "missing"}
        As in :func:`toolkit.score` (see the module docstring).
    **options
        The engine's other options (``form``, ``metric``, ``max_missing``, ``thresholds``, ``missing_codes``,
        ``response_scale``, ``allow_unverified``).

    Attributes
    ----------
    instrument : Instrument
    items : dict
        Item number -> column.
    carry : list
        Columns copied into the output before the scores (the id columns, then ``keep``).
    id_cols : list
        The id columns (named in bad-cell reports).
    meta : DataFrame
        The empty result: its columns and dtypes are those of every part's result.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.scoring.partitioned import PartScorer
    >>> df = pd.DataFrame({"client_id": ["a", "b"], **{f"wai_sr_{n:02d}": [4, 5] for n in range(1, 13)}})
    >>> scorer = PartScorer(df.iloc[:0], "wai-sr")
    >>> scorer.carry, list(scorer.meta.columns[:3])
    (['client_id'], ['client_id', 'task', 'task_n'])
    >>> scored, bad = scorer.score_part(df)
    >>> scored["total"].tolist(), len(bad)
    ([48.0, 60.0], 0)
    """

    def __init__(self, meta: pd.DataFrame, instrument, *, items: Mapping | None = None, pattern: str | None = None,
                 id_cols: Sequence | str | None = None, keep=None, on_invalid: str = "raise", **options):
        from .columns import match_item_columns
        from .engine import detect_id_columns
        from .rules import check_key_confidence

        unknown = sorted(set(options) - set(ENGINE_OPTIONS))
        if unknown:
            raise InvalidParameterError(f"score() on data in parts does not take {unknown}: they need the rows of "
                                        "a person or an administration together (see toolkit.scoring.partitioned).")
        on_invalid = check_choice(on_invalid, ("raise", "missing"), param="on_invalid", caller="score",
                                  hint="'raise' lists every bad cell in an error; 'missing' scores them as missing.")
        self.instrument: Instrument = load_instrument(instrument)
        self.options = dict(options)
        self.on_invalid = on_invalid
        check_key_confidence(self.instrument, options.get("form"), bool(options.get("allow_unverified", False)))
        columns = list(meta.columns)
        self.items = dict(match_item_columns(columns, self.instrument, items=items, pattern=pattern))
        item_cols = list(self.items.values())
        if id_cols is None:
            id_cols = detect_id_columns(columns, item_cols)
        else:
            id_cols = [id_cols] if isinstance(id_cols, (str, int)) else list(id_cols)
            absent = [c for c in id_cols if c not in columns]
            if absent:
                raise KeyError(f"id_cols {absent} are not columns of the data; columns are {columns}")
        self.id_cols = list(id_cols)
        carry = list(self.id_cols)
        if keep is not None:
            extra = [c for c in columns if c not in item_cols] if keep == "all" else list(keep)
            absent = [c for c in extra if c not in columns]
            if absent:
                raise KeyError(f"keep names {absent}, which are not columns of the data")
            carry += [c for c in extra if c not in carry]
            if keep == "all":  # the input's order, as in memory
                carry = [c for c in columns if c in set(carry)]
        self.carry = carry
        self.form = options.get("form")
        # the engine once on the empty frame with every column: its column warnings are raised here, once
        from .engine import score

        score(meta, self.instrument, items=self.items, id_cols=[], on_invalid="missing", **self.options)
        self.meta = self.score_part(meta.iloc[:0])[0]

    # -- one part --------------------------------------------------------------------------------------
    def _engine(self, items: pd.DataFrame) -> pd.DataFrame:
        from .engine import score
        from .whole import without_loading

        with without_loading():  # parts do not load numba (see toolkit.scoring.whole)
            return score(items, self.instrument, items=self.items, id_cols=[], on_invalid="raise", **self.options)

    def score_part(self, part: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Scores of ``part`` (its index kept) and the table of its bad cells (empty when there are none).

        Bad cells are scored as missing (counted in ``n_invalid``) whatever ``on_invalid`` says: the caller
        decides what to do with the table. Its ``row`` is the part's index label.
        """
        from .engine import _check_raters

        _check_raters(part, self.instrument, self.form)  # rows rated on a form scored differently: refused
        cols = list(self.items.values())
        scored, bad = [], []
        # a large part in pieces: the engine's copies and temporaries are those of a piece
        for a in range(0, max(len(part), 1), PIECE_ROWS):
            piece, piece_bad = self._score_items(part.iloc[a:a + PIECE_ROWS][cols])
            scored.append(piece)
            if piece_bad is not None:
                bad.append(piece_bad.assign(row=piece_bad["row"].to_numpy(dtype=np.int64) + a))
        scored = scored[0] if len(scored) == 1 else pd.concat(scored, ignore_index=True)
        front = part[self.carry].set_axis(scored.index, axis=0)
        out = pd.concat([front, scored], axis=1).set_axis(part.index, axis=0)
        return out, self._report(part, pd.concat(bad, ignore_index=True) if bad else None)

    def _score_items(self, items: pd.DataFrame):
        """The engine's scores of the item columns of some rows (numbered from 0), and its bad cells (or None)."""
        items = items.set_axis(pd.RangeIndex(len(items)), axis=0)
        try:
            return self._engine(items), None
        except DataValidationError as err:
            bad = err.report  # rows are positions here
            blank = items.copy()
            for col, rows in bad.groupby("column", sort=False)["row"]:
                j = blank.columns.get_loc(col)
                if not (pd.api.types.is_float_dtype(blank.dtypes.iloc[j]) or blank.dtypes.iloc[j].kind == "O"):
                    blank[col] = blank[col].astype(object)
                blank.iloc[rows.to_numpy(dtype=np.int64), j] = np.nan
            scored = self._engine(blank)
            scored["n_invalid"] = np.bincount(bad["row"].to_numpy(dtype=np.int64), minlength=len(items))
            return scored, bad

    def _report(self, part: pd.DataFrame, bad) -> pd.DataFrame:
        """The bad cells named by the part's index label and id columns, as the engine's report (its first column
        is ``line``, ``case`` or ``row`` as :func:`toolkit.scoring.cells.numbering` says for the part)."""
        from .cells import numbering

        where = numbering(part)[0]
        ids = [c for c in self.id_cols if c != where]
        columns = [where, *ids, "column", "item", "value", "reason"]
        if bad is None or not len(bad):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        pos = bad["row"].to_numpy(dtype=np.int64)
        out = {where: part.index.take(pos)}
        for c in ids:
            out[c] = part[c].take(pos).to_numpy()
        for c in ("column", "item", "value", "reason"):
            out[c] = bad[c].to_numpy()
        return pd.DataFrame(out, columns=columns)

    def raise_bad(self, report: pd.DataFrame, n_rows: int, where: str, fix: str) -> None:
        """Raise :class:`DataValidationError` for the bad cells of one part (``where`` names the part)."""
        n_bad = len(report)
        shown = report.head(50).to_string(index=False)
        more = f"\n... and {n_bad - 50} more (see err.report)" if n_bad > 50 else ""
        raise DataValidationError(
            f"{n_bad} bad cell{'s' if n_bad != 1 else ''} in {report.iloc[:, 0].nunique()} of {n_rows} rows of {where} "
            f"for {self.instrument.id}:\n{shown}{more}\n{fix}", report=report)

    # -- a Dask partition ---------------------------------------------------------------------------------
    def __call__(self, part: pd.DataFrame, partition_info=None) -> pd.DataFrame:
        scored, bad = self.score_part(part)
        if len(bad) and self.on_invalid == "raise":
            number = partition_info.get("number") if partition_info else None
            where = f"partition {number}" if number is not None else "a partition"
            self.raise_bad(bad, len(part), where,
                           "Fix these cells, or pass on_invalid='missing' to score them as missing (each row's "
                           "n_invalid counts them). toolkit.validate_responses(ddf, ...) lists the bad cells of "
                           "every partition (lazily; write them with .to_csv()).")
        return scored

    def report_partition(self, part: pd.DataFrame, partition_info=None) -> pd.DataFrame:
        """The bad cells of a Dask partition, with its number in ``partition``."""
        report = self.score_part(part)[1] if len(part) else self._report(part, None)
        report = report.astype({"value": object})
        number = partition_info.get("number") if partition_info else -1
        report.insert(0, "partition", np.full(len(report), -1 if number is None else number, dtype=np.int64))
        return report


def _dask_options(layout, change_by, caller: str) -> None:
    if layout != "wide":
        raise InvalidParameterError(
            f"{caller}() on a Dask DataFrame needs wide data (layout='wide'): in long layout the answers of one "
            "administration may lie in two partitions. Pivot it first (toolkit.scoring.layout.long_to_wide on "
            "data shuffled by the id columns), or compute it.")
    if change_by is not None:
        raise InvalidParameterError(
            f"{caller}() on a Dask DataFrame does not take change_by=: the reliable change of a person needs all "
            "of their administrations, which a partition does not hold. toolkit.session_alerts and "
            "toolkit.clinical_change on the Dask DataFrame partition it by client and flag reliable change there.")


def score_lazily(data, instrument, *, items=None, pattern=None, id_cols=None, keep=None, on_invalid="raise",
                 layout="wide", change_by=None, **options):
    """:func:`toolkit.score` of a Dask DataFrame: a lazy Dask DataFrame of scores, partition by partition."""
    _dask_options(layout, change_by, "score")
    options = {k: v for k, v in options.items() if k not in ("item_col", "value_col", "change_order")}
    scorer = PartScorer(data._meta, instrument, items=items, pattern=pattern, id_cols=id_cols, keep=keep,
                        on_invalid=on_invalid, **options)
    return data.map_partitions(scorer, meta=scorer.meta, enforce_metadata=False, align_dataframes=False)


def validate_lazily(data, instrument, *, items=None, pattern=None, id_cols=None, **options):
    """:func:`toolkit.validate_responses` of a Dask DataFrame: a lazy Dask DataFrame of every bad cell, with the
    ``partition`` it is in."""
    scorer = PartScorer(data._meta, instrument, items=items, pattern=pattern, id_cols=id_cols,
                        on_invalid="missing", **options)
    meta = scorer.report_partition(data._meta.iloc[:0])
    return data.map_partitions(scorer.report_partition, meta=meta, enforce_metadata=False, align_dataframes=False)
