"""Find, read and validate instrument definition files.

``load_instrument("wai-sr")`` reads a shipped definition; ``load_instrument("my/calpas.yaml")``
reads a user's file the same way. Both are validated against the published schema
and come back as an immutable :class:`~toolkit.instrument.model.Instrument`.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

from .._paths import instruments_dir
from ..exceptions import InstrumentDefinitionError, UnknownInstrumentError
from .model import Instrument

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_instrument", "list_instruments", "definition_schema", "attach_wording", "template_path"]

_SUFFIXES = (".yaml", ".yml", ".toml")
_TEMPLATE = "_template.yaml"


_SHIPPED: tuple = (None, {})  # ((folder, its mtime), {id: resolved path}): listed again only when it changes


def _shipped_files() -> dict[str, Path]:
    global _SHIPPED
    folder = instruments_dir()
    stamp = (folder, folder.stat().st_mtime_ns)
    if _SHIPPED[0] != stamp:
        _SHIPPED = (stamp, {
            p.stem: p.resolve()
            for p in sorted(folder.iterdir())
            if p.suffix in _SUFFIXES and not p.name.startswith("_")
        })
    return dict(_SHIPPED[1])


def _read_mapping(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InstrumentDefinitionError(f"{path}: not valid TOML ({exc}); fix the syntax", source=str(path)) from exc
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise InstrumentDefinitionError(
                f"{path}: not valid YAML{where} ({getattr(exc, 'problem', exc)}); fix the syntax",
                source=str(path),
            ) from exc
    if not isinstance(data, dict):
        raise InstrumentDefinitionError(
            f"{path}: expected a mapping of fields (id, name, items, ...) at the top, got {type(data).__name__}; "
            f"start from the template {template_path()}",
            source=str(path),
        )
    return data


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


_FIXES = {
    "missing": "add the field",
    "extra_forbidden": "remove it or check its spelling against the template",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "use lower-case letters, digits, '-' or '_', starting with a letter",
}


def _from_mapping(data: dict[str, Any], source: str) -> Instrument:
    from pydantic import ValidationError

    try:
        return Instrument.model_validate({**data, "source": source})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            msg = err["msg"].removeprefix("Value error, ")
            fix = _FIXES.get(err["type"])
            got = err.get("input")
            got_s = "" if err["type"] in ("missing", "value_error") or isinstance(got, (dict, list)) else f" (got {got!r})"
            problems.append(f"{_field_path(err['loc'])}: {msg}{got_s}" + (f"; fix: {fix}" if fix else ""))
        raise InstrumentDefinitionError(
            f"{source}: invalid instrument definition ({len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}):\n  - " + "\n  - ".join(problems),
            source=source,
            problems=problems,
        ) from None


@functools.lru_cache(maxsize=64)
def _load_path(path: Path, mtime: float) -> Instrument:
    return _from_mapping(_read_mapping(path), str(path))


def load_instrument(id_or_path: str | Path | Instrument) -> Instrument:
    """Load a shipped instrument by id, or a user's definition file by path.

    Parameters
    ----------
    id_or_path : str, pathlib.Path or Instrument
        A shipped id (see :func:`list_instruments`), or the path of a YAML/TOML
        definition written from the template. An ``Instrument`` is returned as is.

    Returns
    -------
    Instrument
        Validated and immutable.

    Raises
    ------
    UnknownInstrumentError
        Neither a shipped id nor an existing file; the message lists the ids.
    InstrumentDefinitionError
        The file is malformed; the message names the file, each bad field and the fix.

    Examples
    --------
    >>> from toolkit import load_instrument
    >>> wai = load_instrument("wai-sr")
    >>> wai.keys["bond"]
    [3, 5, 7, 9]
    """
    if isinstance(id_or_path, Instrument):
        return id_or_path
    shipped = _shipped_files()
    key = str(id_or_path)
    if key in shipped:
        path = shipped[key]  # resolved when listed
        return _load_path(path, path.stat().st_mtime)
    else:
        path = Path(id_or_path).expanduser()
        if not path.is_file():
            raise UnknownInstrumentError(
                f"no instrument {key!r}: it is neither a shipped id nor a file. "
                f"Shipped ids: {', '.join(shipped)}. For your own instrument pass the path of a "
                f"definition file written from the template {template_path()}."
            )
        if path.suffix not in _SUFFIXES:
            raise InstrumentDefinitionError(
                f"{path}: definition files end in .yaml, .yml or .toml (got {path.suffix!r})", source=str(path)
            )
    path = path.resolve()
    return _load_path(path, path.stat().st_mtime)


def list_instruments():
    """The shipped instruments, one row each.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``, with ``name``, ``version``, ``items``, ``subscales``,
        ``forms``, ``scale``, ``confidence``, ``scorable`` and ``path``. ``scorable``
        is False when scoring needs more from the user: a key of confidence V1 or
        R (``score(..., allow_unverified=True)``), or no verified response scale
        (``score(..., response_scale={"min": ..., "max": ...})``). It describes the
        instrument's default; a form can differ (``load_instrument(id).forms``).

    Examples
    --------
    >>> from toolkit import list_instruments
    >>> "wai-sr" in list_instruments().index
    True
    """
    import pandas as pd

    rows = []
    for key, path in _shipped_files().items():
        ins = load_instrument(key)
        rows.append(
            {
                "id": ins.id,
                "name": ins.name,
                "version": ins.version,
                "items": ins.n_items,
                "subscales": ", ".join(ins.subscale_ids) or "total only",
                "forms": ", ".join(f.id for f in ins.forms),
                "scale": ins.response_scale.describe() if ins.response_scale else "unverified",
                "confidence": ins.confidence.level,
                "scorable": ins.confidence.scorable and ins.response_scale is not None,
                "path": str(path),
            }
        )
    return pd.DataFrame(rows).set_index("id")


def definition_schema() -> dict[str, Any]:
    """JSON Schema of an instrument definition file (published as ``instruments/schema.json``)."""
    schema = Instrument.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "alliance-toolkit instrument definition"
    schema.get("properties", {}).pop("source", None)
    schema.get("properties", {}).pop("wording", None)
    return schema


def template_path() -> Path:
    """Path of the documented template for writing a definition (CALPAS, SOFTA-s, BLRI, ...)."""
    return instruments_dir() / _TEMPLATE


def attach_wording(instrument: str | Path | Instrument, path: str | Path) -> Instrument:
    """Return a copy of ``instrument`` with licensed item wording from a local file.

    The toolkit ships no item wording. A user who holds a licence keeps the
    wording in a file of their own, as YAML/JSON (``{1: "...", 2: "..."}``) or
    CSV with columns ``item`` and ``text``; forms and reports then show it.
    """
    ins = load_instrument(instrument)
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"wording file {path} does not exist")
    if path.suffix == ".csv":
        import pandas as pd

        table = pd.read_csv(path)
        missing = {"item", "text"} - set(table.columns)
        if missing:
            raise InstrumentDefinitionError(
                f"{path}: a wording CSV needs columns 'item' and 'text'; missing {sorted(missing)}", source=str(path)
            )
        wording = {int(i): str(t) for i, t in zip(table["item"], table["text"])}
    elif path.suffix == ".json":
        wording = {int(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    else:
        wording = {int(k): str(v) for k, v in _read_mapping(path).items()}
    data = ins.model_dump()
    data["wording"] = wording
    return _from_mapping(data, f"{ins.source} + wording from {path}")
