"""Find an instrument's item columns in a data set.

Exports name item columns in many ways: ``wai_sr_01``, ``WAI_1``, ``waisr1``,
``Q3``, ``item_12`` or just ``7``. :func:`match_item_columns` accepts an explicit
mapping, a pattern, or finds the columns itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..exceptions import ItemMappingError
from ..instrument import Instrument, load_instrument

__all__ = ["match_item_columns", "default_column", "unmatched_item_like", "suggest_pattern"]

_GENERIC_PREFIXES = ("item", "items", "q", "i", "")


def default_column(instrument: Instrument, number: int) -> str:
    """The toolkit's own name for an item column, e.g. ``wai_sr_01``."""
    return f"{instrument.id.replace('-', '_')}_{number:02d}"


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def _prefixes(instrument: Instrument) -> list[str]:
    family = re.match(r"[a-z]+", instrument.id)  # wai-sr, wai36 -> wai (exports often write WAI_1)
    raw = [instrument.id, instrument.short_name, family.group(0) if family else ""]
    out: list[str] = []
    for p in raw:
        if not p:
            continue
        n = _norm(p)
        for cand in (n, n.replace("_", "")):
            if cand and cand not in out:
                out.append(cand)
    return out + [p for p in _GENERIC_PREFIXES if p not in out]


def _by_prefix(columns: list, prefix: str) -> dict[int, list]:
    rx = re.compile(rf"^{re.escape(prefix)}_?0*(\d+)$" if prefix else r"^0*(\d+)$")
    found: dict[int, list] = {}
    for col in columns:
        m = rx.match(_norm(col))
        if m:
            found.setdefault(int(m.group(1)), []).append(col)
    return found


def _from_pattern(columns: list, pattern: str, n_items: int) -> dict[int, object]:
    if "(?P<n>" in pattern:
        rx = re.compile(pattern)
        found: dict[int, object] = {}
        for col in columns:
            m = rx.fullmatch(str(col))
            if m:
                found[int(m.group("n"))] = col
        return found
    if "{n" not in pattern:
        raise ItemMappingError(
            f"pattern {pattern!r} has no item number; write it like 'WAI_{{n}}', 'Q{{n:02d}}' or a regex "
            "with a group (?P<n>\\d+)"
        )
    names = {str(c): c for c in columns}
    return {n: names[pattern.format(n=n)] for n in range(1, n_items + 1) if pattern.format(n=n) in names}


def match_item_columns(
    columns: Iterable,
    instrument: str | Instrument,
    *,
    items: Mapping[int, object] | None = None,
    pattern: str | None = None,
) -> dict[int, object]:
    """Map every item number of ``instrument`` to a column name.

    Parameters
    ----------
    columns : iterable
        Column names of the data (e.g. ``df.columns``).
    instrument : str or Instrument
    items : mapping, optional
        Explicit ``{item number: column}``; every item must be given.
    pattern : str, optional
        A format string with ``{n}`` (``"WAI_{n}"``, ``"Q{n:02d}"``) or a regular
        expression with a named group ``(?P<n>\\d+)``.

    Returns
    -------
    dict
        ``{item number: column}`` for items ``1..n``.

    Raises
    ------
    ItemMappingError
        Some items have no column, a column is named twice, or several naming
        schemes fit equally; the message lists what was found and the fix.

    Notes
    -----
    Without ``items`` or ``pattern``, names are compared case-insensitively with
    punctuation folded, against ``<instrument id>_<n>`` (``wai_sr_01``,
    ``waisr1``), the short name (``WAI-SR_3``), the family (``WAI_3``), generic ``item<n>``,
    ``q<n>``, ``i<n>`` or a bare number. Leading zeros are ignored. The first
    scheme that names *every* item wins.

    Examples
    --------
    >>> from toolkit import match_item_columns
    >>> cols = ["id"] + [f"Q{n}" for n in range(1, 13)]
    >>> match_item_columns(cols, "wai-sr")[12]
    'Q12'
    """
    ins = load_instrument(instrument)
    columns = list(columns)
    n_items = ins.n_items
    wanted = set(range(1, n_items + 1))

    if items is not None:
        mapping = {int(k): v for k, v in dict(items).items()}
        unknown = sorted(set(mapping) - wanted)
        missing = sorted(wanted - set(mapping))
        absent = {k: v for k, v in mapping.items() if v not in columns}
        problems = []
        if unknown:
            problems.append(f"items {unknown} do not exist (items run 1..{n_items})")
        if missing:
            problems.append(f"items {missing} have no column")
        if absent:
            problems.append(f"columns {sorted(map(str, absent.values()))} are not in the data")
        if problems:
            raise ItemMappingError(f"items mapping for {ins.id}: " + "; ".join(problems) + "; fix the mapping")
        _no_duplicates(mapping, ins)
        return dict(sorted(mapping.items()))

    if pattern is not None:
        found = _from_pattern(columns, pattern, n_items)
        missing = sorted(wanted - set(found))
        if missing:
            raise ItemMappingError(
                f"pattern {pattern!r} found no column for items {missing} of {ins.id} "
                f"({len(found)} of {n_items} found); check the pattern against the columns "
                f"{[str(c) for c in columns[:15]]}{' ...' if len(columns) > 15 else ''}"
            )
        return {n: found[n] for n in sorted(wanted)}

    best: tuple[str, dict[int, list]] | None = None
    for prefix in _prefixes(ins):
        found = _by_prefix(columns, prefix)
        if wanted <= set(found):
            mapping = {n: found[n] for n in sorted(wanted)}
            dupes = {n: cols for n, cols in mapping.items() if len(cols) > 1}
            if dupes:
                raise ItemMappingError(
                    f"several columns name the same item of {ins.id}: "
                    + "; ".join(f"item {n}: {[str(c) for c in cols]}" for n, cols in dupes.items())
                    + "; rename or drop the extra columns, or pass items={number: column}"
                )
            return {n: cols[0] for n, cols in mapping.items()}
        if found and (best is None or len(set(found) & wanted) > len(set(best[1]) & wanted)):
            best = (prefix, found)

    example = default_column(ins, 1)
    suggested = suggest_pattern(columns, n_items)
    if suggested is not None:
        first, last = suggested.format(n=1), suggested.format(n=n_items)
        qualtrics = (" (a Qualtrics export names the items of question 1 'Q1_1', 'Q1_2', ...)"
                     if re.fullmatch(r"Q\d+_", first[:-1]) else "")
        raise ItemMappingError(
            f"no item columns of {ins.id} ({n_items} items) named like {example!r} or 'Q1' among the columns "
            f"{[str(c) for c in columns[:15]]}{' ...' if len(columns) > 15 else ''}; the columns {first!r} .. "
            f"{last!r} look like its items{qualtrics}: pass pattern={suggested!r} if they are"
        )
    if best is None:
        raise ItemMappingError(
            f"no item columns of {ins.id} ({n_items} items) found among the columns "
            f"{[str(c) for c in columns[:15]]}{' ...' if len(columns) > 15 else ''}; name them like "
            f"{example!r} or 'Q1', or pass pattern='MyPrefix{{n}}' or items={{1: 'col', ...}}"
        )
    prefix, found = best
    missing = sorted(wanted - set(found))
    got = sorted(set(found) & wanted)
    raise ItemMappingError(
        f"found columns for items {_ranges(got)} of {ins.id} (named like {str(found[got[0]][0])!r}) but none for "
        f"items {_ranges(missing)}; an instrument needs all {n_items} item columns (add the missing columns, "
        "empty if never asked, or pass items={number: column})"
    )


def suggest_pattern(columns: Iterable, n_items: int) -> str | None:
    """A ``pattern`` that names items ``1..n_items`` among ``columns`` (e.g. ``'Q1_{n}'`` for Qualtrics'
    ``Q1_1`` .. ``Q1_12``), when exactly one prefix does; else None.

    Examples
    --------
    >>> suggest_pattern(["ResponseId"] + [f"Q1_{k}" for k in range(1, 13)] + ["Q2"], 12)
    'Q1_{n}'
    >>> suggest_pattern(["a1", "a2", "b1", "b2"], 2) is None
    True
    """
    digits_by_prefix: dict[str, set] = {}
    for col in columns:
        m = re.fullmatch(r"(.*?\D)(\d+)", str(col))
        if m:
            digits_by_prefix.setdefault(m.group(1), set()).add(m.group(2))
    hits = []
    for prefix, digits in digits_by_prefix.items():
        for width in sorted({0} | {len(d) for d in digits if d.startswith("0") and len(d) > 1}):
            if all(f"{n:0{width}d}" in digits for n in range(1, n_items + 1)):
                hits.append((prefix, width))
                break
    if len(hits) != 1:
        return None
    prefix, width = hits[0]
    prefix = prefix.replace("{", "{{").replace("}", "}}")
    return f"{prefix}{{n:0{width}d}}" if width else f"{prefix}{{n}}"


def _no_duplicates(mapping: dict[int, object], ins: Instrument) -> None:
    seen: dict[object, int] = {}
    for n, col in mapping.items():
        if col in seen:
            raise ItemMappingError(
                f"column {col!r} is mapped to items {seen[col]} and {n} of {ins.id}; each item needs its own column"
            )
        seen[col] = n


def _ranges(numbers: list[int]) -> str:
    parts, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            parts.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = n
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(parts)


def unmatched_item_like(columns: Iterable, mapping: Mapping[int, object]) -> list:
    """Columns named like the matched item columns but matching no item (e.g. ``Q13`` for 12 items)."""
    matched = set(mapping.values())
    sample = str(next(iter(mapping.values())))
    m = re.match(r"^(.*?)(\d+)$", _norm(sample))
    if not m:
        return []
    prefix = m.group(1).rstrip("_")
    found = _by_prefix([c for c in columns if c not in matched], prefix)
    return [c for cols in found.values() for c in cols]
