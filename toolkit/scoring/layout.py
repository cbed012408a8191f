"""Long layout (one row per answer) to wide (one row per administration)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..exceptions import DataValidationError, ItemMappingError
from ..instrument import Instrument
from .columns import default_column, match_item_columns

__all__ = ["long_to_wide"]


def long_to_wide(
    data: pd.DataFrame,
    ins: Instrument,
    *,
    id_cols: Sequence | str | None,
    item_col: str,
    value_col: str,
) -> pd.DataFrame:
    """Pivot ``(id..., item, value)`` rows to one row per administration.

    Administrations appear in order of first appearance. Item identifiers may be
    numbers (``1..n``) or column-like names (``wai_sr_01``, ``Q3``). Two answers
    to the same item in one administration are an error (they are never averaged).
    Values are not checked here: the wide scorer checks them.
    """
    for c in (item_col, value_col):
        if c not in data.columns:
            raise KeyError(
                f"long layout needs columns {item_col!r} and {value_col!r} (set item_col=/value_col=); "
                f"columns are {list(data.columns)}"
            )
    if id_cols is None:
        id_cols = [c for c in data.columns if c not in (item_col, value_col)]
    else:
        id_cols = [id_cols] if isinstance(id_cols, (str, int)) else list(id_cols)
    if not id_cols:
        raise KeyError("long layout needs at least one id column that identifies an administration (id_cols=...)")

    labels = data[item_col]
    numeric = pd.to_numeric(labels, errors="coerce")
    if numeric.notna().all() and (numeric == numeric.round()).all():
        numbers = numeric.astype(np.int64)
        unknown = sorted(set(numbers) - set(range(1, ins.n_items + 1)))
        if unknown:
            raise ItemMappingError(
                f"{item_col!r} holds item numbers {unknown} that {ins.id} does not have (items run 1..{ins.n_items})"
            )
    else:
        uniq = list(pd.unique(labels.astype(str)))
        try:
            mapping = match_item_columns(uniq, ins)
        except ItemMappingError as exc:
            raise ItemMappingError(f"in column {item_col!r}: {exc}") from None
        back = {str(v): k for k, v in mapping.items()}
        unknown = sorted(u for u in uniq if u not in back)
        if unknown:
            raise ItemMappingError(
                f"{item_col!r} holds {unknown}, which match no item of {ins.id}; fix or drop those rows"
            )
        numbers = labels.astype(str).map(back).astype(np.int64)

    keys = data[id_cols].astype(object).apply(tuple, axis=1) if len(id_cols) > 1 else data[id_cols[0]]
    codes, uniques = pd.factorize(keys, sort=False)
    dup = pd.Series(list(zip(codes, numbers))).duplicated(keep=False).to_numpy()
    if dup.any():
        rows = data.loc[dup, [*id_cols, item_col, value_col]].copy()
        rows.insert(0, "row", data.index[dup])
        raise DataValidationError(
            f"{int(dup.sum())} rows answer an item twice in the same administration "
            f"(same {id_cols} and {item_col}):\n{rows.to_string(index=False)}\n"
            "Keep one answer per item (answers are never averaged), "
            "or add the column that tells them apart to id_cols.",
            report=rows.assign(reason="duplicate answer").reset_index(drop=True),
        )
    n_admin = len(uniques)
    wide = np.empty((n_admin, ins.n_items), dtype=object)
    wide[:] = np.nan
    wide[codes, numbers.to_numpy() - 1] = data[value_col].to_numpy(dtype=object)
    first = pd.Series(np.arange(len(data))).groupby(codes).first().to_numpy()
    out = data.iloc[first][id_cols].reset_index(drop=True)
    items = pd.DataFrame(wide, columns=[default_column(ins, n) for n in range(1, ins.n_items + 1)])
    return pd.concat([out, items], axis=1)
