"""Regenerate ``data-samples/`` from the seed: ``python -m toolkit.samples.build``.

The build is deterministic: the same seed (and the same numpy) writes the same
bytes. It refuses to overwrite existing files unless ``--force`` is given;
``--check`` compares a fresh build with the files in place and exits 1 when they
differ.

Usage::

    python -m toolkit.samples.build [--out DIR] [--seed N] [--force] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

from .._paths import samples_dir
from ..exceptions import FileExistsRefusal
from .generator import DEFAULT_SEED, simulate
from .readme import render_readme
from .registry import REGISTRY_FILE, SAMPLE_SPECS, TRUTH_FILE

__all__ = ["build_samples", "render_files", "main"]

README_FILE = "README.md"


def _no_alias_dumper():
    import yaml

    class NoAlias(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return NoAlias


def _round(obj, digits: int = 6):
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v, digits) for v in obj]
    return obj


def _csv_bytes(df, float_format: str | None = None) -> bytes:
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            finite = s.dropna()
            if len(finite) and (finite == finite.round()).all() and float_format is None:
                out[col] = s.astype("Int64")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n", float_format=float_format)
    return buf.getvalue().encode("utf-8")


def render_files(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Every file of ``data-samples/`` as bytes, keyed by file name (nothing is written)."""
    import yaml

    from .checks import observed_effects

    study = simulate(seed=seed)
    tables = dict(study.tables)
    tables["true_dyad_effects"] = study.dyads
    tables["true_session_alliance"] = study.sessions
    formats = {"srs_ors_sessions": "%.1f", "true_dyad_effects": "%.6f", "true_session_alliance": "%.4f"}
    files: dict[str, bytes] = {}
    entries = {}
    for name, spec in SAMPLE_SPECS.items():
        data = _csv_bytes(tables[name], formats.get(name))
        files[spec["file"]] = data
        entries[name] = {
            **spec,
            "rows": int(len(tables[name])),
            "columns": int(tables[name].shape[1]),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    truth = _round(study.truth)
    files[TRUTH_FILE] = (json.dumps(truth, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    effects = observed_effects(study)
    registry = {
        "about": "Sample data simulated by toolkit.samples.simulate; regenerate with "
                 "'python -m toolkit.samples.build --force'. See README.md.",
        "seed": seed,
        "truth": TRUTH_FILE,
        "truth_sha256": hashlib.sha256(files[TRUTH_FILE]).hexdigest(),
        "samples": entries,
    }
    files[REGISTRY_FILE] = yaml.dump(
        registry, Dumper=_no_alias_dumper(), sort_keys=False, allow_unicode=True, width=110
    ).encode("utf-8")
    files[README_FILE] = render_readme(study, entries, effects).encode("utf-8")
    return files


def build_samples(out_dir: str | Path | None = None, *, seed: int = DEFAULT_SEED, force: bool = False) -> list[Path]:
    """Write the sample files into ``out_dir`` (default: the shipped ``data-samples/``).

    Parameters
    ----------
    out_dir : str or Path, optional
        Target folder (created if missing).
    seed : int, default 20261143
        Seed of the simulation.
    force : bool, default False
        Overwrite existing files.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    FileExistsRefusal
        Some target files exist and ``force`` is false; the message lists them.
    """
    out = Path(out_dir) if out_dir is not None else samples_dir()
    files = render_files(seed)
    existing = [name for name in files if (out / name).exists()]
    if existing and not force:
        raise FileExistsRefusal(
            f"refusing to overwrite {len(existing)} existing file(s) in {out}: {', '.join(existing)}; "
            "pass force=True (command line: --force) to replace them, or choose another folder (--out)"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m toolkit.samples.build",
        description="Regenerate the sample data deterministically from the seed.",
    )
    parser.add_argument("--out", type=Path, default=None, help="target folder (default: the shipped data-samples/)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--check", action="store_true", help="only compare a fresh build with the files in place")
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else samples_dir()
    if args.check:
        differ = [name for name, data in render_files(args.seed).items()
                  if not (out / name).is_file() or (out / name).read_bytes() != data]
        if differ:
            print(f"out of date in {out}: {', '.join(differ)}; rebuild with --force", file=sys.stderr)
            return 1
        print(f"{out}: up to date")
        return 0
    try:
        written = build_samples(out, seed=args.seed, force=args.force)
    except FileExistsRefusal as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total / 1024:.0f} kB) to {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
