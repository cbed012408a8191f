"""Administer a questionnaire in a notebook: one control per item, live scores, append-only saving."""

from __future__ import annotations

import csv
import html
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import ipywidgets as W
import pandas as pd

from .._checks import check_bool
from ..exceptions import FileExistsRefusal, InvalidParameterError
from ..instrument import Instrument, ResponseScale, load_instrument
from ..scoring import default_column, score
from ._common import ErrorArea, table_html

__all__ = ["questionnaire_form", "QuestionnaireForm"]

#: Ordinal scales with at most this many points get a row of toggle buttons, longer ones a drop-down.
MAX_BUTTONS = 11


def questionnaire_form(
    instrument: str | Path | Instrument,
    rater: str | None = None,
    *,
    form: str | None = None,
    target: pd.DataFrame | str | Path | None = None,
    ids: Sequence[str] = ("client_id", "session"),
    require_complete: bool = False,
    allow_unverified: bool = False,
) -> "QuestionnaireForm":
    """Administer one form of an instrument in a notebook, with live scores.

    One control per item (toggle buttons for an ordinal scale, a slider at the
    scale's resolution for a visual-analogue line), labelled with our short item
    labels, or with the licensed wording a user attached with
    :func:`toolkit.attach_wording`. As the person answers, the form lists the
    unanswered items, states the instrument's missing-data rule and shows the
    scores that :func:`toolkit.score` gives for the answers so far. *Submit*
    appends the administration (id fields, ``rater``, ``form``, one column per item,
    ``submitted_at`` in UTC) to ``target`` and clears the answers.

    Parameters
    ----------
    instrument : str, path or Instrument
        A shipped id (``"wai-sr"``), a definition file, or a loaded instrument
        (with wording attached, if you hold a licence).
    rater : {"client", "therapist", "observer", "other"}, optional
        Who answers; picks the form as :meth:`toolkit.Instrument.form_for` does (the
        form named like the rater, else the rater's only form). Needed when the
        instrument has several forms and ``form`` is not given.
    form : str, optional
        A form id (``"therapist"``, ``"observer-rev4"``), when the rater has several.
    target : DataFrame, str or path, optional
        Where submitted administrations go. ``None``: kept in memory
        (:attr:`QuestionnaireForm.responses`). A DataFrame: earlier administrations;
        ``responses`` starts from a copy of it (the caller's frame is not changed). A
        ``.csv`` path: each submission is appended to the file (created if missing);
        earlier rows are never rewritten, and a file whose columns differ from the
        form's is refused rather than mixed.
    ids : sequence of str
        Id fields to ask for; ``session`` must be a whole number.
    require_complete : bool
        Refuse to submit while any item is unanswered (by default the instrument's
        missing-data rule decides which scores a partial administration gets).
    allow_unverified : bool
        Score a form whose key is not verified (passed to :func:`toolkit.score`).

    Returns
    -------
    QuestionnaireForm
        Displays itself in a notebook; ``.answers``, ``.scores_``, ``.problems()``,
        ``.submit()`` and ``.responses`` are there for scripts and tests.

    Examples
    --------
    >>> from toolkit.widgets import questionnaire_form
    >>> f = questionnaire_form("wai-sr", rater="client")
    >>> f.ids["client_id"].value, f.ids["session"].value = "C01", "3"
    >>> for number in range(1, 13):
    ...     f.controls[number].value = 4.0
    >>> f.scores_[["task", "bond", "goal", "total"]].iloc[0].tolist()
    [16.0, 16.0, 16.0, 48.0]
    >>> f.submit()
    >>> f.responses[["client_id", "session", "rater", "wai_sr_01"]]
      client_id  session   rater  wai_sr_01
    0       C01        3  client        4.0
    """
    return QuestionnaireForm(
        instrument, rater, form=form, target=target, ids=ids,
        require_complete=require_complete, allow_unverified=allow_unverified,
    )


class QuestionnaireForm:
    """The form built by :func:`questionnaire_form` (see there for what it shows and saves).

    Parameters
    ----------
    instrument : str, path or Instrument
        A shipped id, a definition file, or a loaded instrument.
    rater : str, optional
        Who answers (see :meth:`toolkit.Instrument.form_for`).
    form : str, optional
        A form id.
    target : DataFrame, str or path, optional
        Where submitted administrations go.
    ids : sequence of str
        Id fields to ask for.
    require_complete : bool
        Refuse to submit while any item is unanswered.
    allow_unverified : bool
        Score a form whose key is not verified.

    Examples
    --------
    >>> from toolkit.widgets import QuestionnaireForm
    >>> QuestionnaireForm("srs").form_id
    'client'
    """

    def __init__(self, instrument, rater=None, *, form=None, target=None, ids=("client_id", "session"),
                 require_complete=False, allow_unverified=False):
        self.instrument = load_instrument(instrument)
        self.form_id = self.instrument.form_for(rater, form).id
        self.rater = self.instrument.form(self.form_id).rater
        self.scale: ResponseScale = self.instrument.scale_for(self.form_id)
        if self.scale is None:
            raise ValueError(
                f"{self.instrument.id} has no verified response scale, so a form cannot offer answers; "
                "write the scale into a copy of the definition file (response_scale: min, max, anchors)"
            )
        self.require_complete = check_bool(require_complete, param="require_complete", caller="questionnaire_form")
        self.allow_unverified = check_bool(allow_unverified, param="allow_unverified", caller="questionnaire_form")
        self._store = _make_store(target)
        self._quiet = False
        self.errors = ErrorArea()
        self.scores_: pd.DataFrame | None = None

        self.ids: dict[str, W.Text] = {
            name: W.Text(description=name, placeholder="required", layout=W.Layout(width="220px"),
                         style={"description_width": "70px"})
            for name in ids
        }
        self.controls: dict[int, W.ValueWidget] = {}
        self.answered: dict[int, W.Checkbox] = {}  # continuous scales only
        rows = [self._item_row(it) for it in self.instrument.items]

        self.status = W.HTML()
        self.scores_view = W.HTML()
        self.message = W.HTML()
        self.submit_button = W.Button(description="Submit", button_style="primary", icon="check", disabled=True)
        self.submit_button.on_click(self.errors.guard(lambda _b: self.submit(), "submitting"))
        for field in self.ids.values():
            field.observe(self.errors.guard(self._changed, "checking the ids"), names="value")

        ins, fm = self.instrument, self.instrument.form(self.form_id)
        head = W.HTML(
            f"<h4 style='margin:4px 0'>{html.escape(ins.name)} - {html.escape(fm.name or fm.id)}</h4>"
            f"<div style='font-size:12px'>{html.escape(_scale_text(self.scale))}</div>"
            f"<div style='font-size:12px;color:#555'>{html.escape(_missing_rule_text(ins))}</div>"
        )
        self.widget = W.VBox(
            [head, W.HBox(list(self.ids.values())), W.VBox(rows), self.status, self.scores_view,
             W.HBox([self.submit_button]), self.message, self.errors.widget]
        )
        self.widget.add_class("alliance-questionnaire")
        self._update()

    # ---------------------------------------------------------------- building
    def _item_row(self, item) -> W.HBox:
        text = self.instrument.wording.get(item.number, item.label)
        label = W.HTML(f"<b>{item.number}.</b> {html.escape(text)}", layout=W.Layout(width="340px"))
        scale = self.scale
        guard = self.errors.guard(self._changed, f"reading item {item.number}")
        if scale.type == "continuous":
            step = scale.resolution or (scale.max - scale.min) / 100
            decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
            control = W.FloatSlider(min=scale.min, max=scale.max, step=step, value=scale.min,
                                    readout_format=f".{decimals}f", continuous_update=False,
                                    layout=W.Layout(width="360px"))
            answered = W.Checkbox(value=False, description="answered", indent=False, layout=W.Layout(width="100px"))
            control.observe(self.errors.guard(lambda _c, a=answered: setattr(a, "value", True), "reading a slider"),
                            names="value")
            answered.observe(guard, names="value")
            self.answered[item.number] = answered
            parts = [label, control, answered]
        else:
            points = scale.points
            options = [(_point_label(v, scale), v) for v in points]
            longest = max(len(label) for label, _ in options)
            if len(points) <= MAX_BUTTONS:
                control = W.ToggleButtons(options=options, value=None,
                                          tooltips=[scale.anchors.get(v, f"{v:g}") for v in points],
                                          style={"button_width": f"{min(150, 22 + 7 * longest)}px"})
            else:
                control = W.Dropdown(options=[("(not answered)", None)] + options, value=None)
            parts = [label, control]
        control.observe(guard, names="value")
        self.controls[item.number] = control
        return W.HBox(parts, layout=W.Layout(align_items="center"))

    # ------------------------------------------------------------------ state
    @property
    def answers(self) -> dict[int, float | None]:
        """Item number -> answer (``None`` while unanswered)."""
        out = {}
        for number, control in self.controls.items():
            if number in self.answered and not self.answered[number].value:
                out[number] = None
            else:
                out[number] = None if control.value is None else float(control.value)
        return out

    def set_answers(self, answers: Mapping[int, float | None]) -> None:
        """Answer several items at once (``None`` clears an answer); scores update once."""
        self._quiet = True
        try:
            for number, value in answers.items():
                control = self.controls[int(number)]
                if number in self.answered:
                    if value is not None:
                        control.value = float(value)
                    self.answered[number].value = value is not None
                else:
                    control.value = None if value is None else float(value)
        finally:
            self._quiet = False
        self._update()

    def unanswered(self) -> list[int]:
        return [n for n, v in self.answers.items() if v is None]

    def problems(self) -> list[str]:
        """Why the form cannot be submitted yet (empty when it can)."""
        out = []
        for name, field in self.ids.items():
            value = field.value.strip()
            if not value:
                out.append(f"enter {name}")
            elif name == "session" and not value.isdigit():
                out.append(f"session must be a whole number (got {value!r})")
        missing = self.unanswered()
        if len(missing) == len(self.controls):
            out.append("answer at least one item")
        elif self.require_complete and missing:
            out.append(f"answer every item (unanswered: {_numbers(missing)})")
        return out

    def record(self) -> pd.DataFrame:
        """The administration as one wide row, as it would be saved (``submitted_at`` is now)."""
        row: dict[str, object] = {}
        for name, field in self.ids.items():
            value = field.value.strip()
            row[name] = int(value) if name == "session" and value.isdigit() else value
        row["rater"] = self.rater
        row["form"] = self.form_id
        for number, value in self.answers.items():
            row[default_column(self.instrument, number)] = math.nan if value is None else value
        row["submitted_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return pd.DataFrame([row])

    @property
    def responses(self) -> pd.DataFrame:
        """Every administration in the target so far (earlier entries first)."""
        return self._store.read()

    # --------------------------------------------------------------- actions
    def submit(self) -> None:
        """Append the administration to the target, then clear the answers (ids are kept)."""
        problems = self.problems()
        if problems:
            raise ValueError("cannot submit yet: " + "; ".join(problems))
        row = self.record()
        ids = {k: row.at[0, k] for k in self.ids}
        earlier = self._store.count_matching(ids)
        self._store.append(row)
        self.set_answers({n: None for n in self.controls})
        where = self._store.describe()
        note = (f" ({earlier} earlier administration(s) with the same ids are kept too)" if earlier else "")
        self.message.value = (
            f"<span style='color:#1b5e20'>Saved: {html.escape(', '.join(f'{k} {v}' for k, v in ids.items()))} "
            f"to {html.escape(where)}; {self._store.size()} administration(s) there{html.escape(note)}.</span>"
        )

    def _changed(self, _change=None) -> None:
        if not self._quiet:
            self._update()

    def _update(self) -> None:
        missing = self.unanswered()
        n = len(self.controls)
        parts = []
        if missing:
            parts.append(f"Unanswered ({len(missing)} of {n}): items {_numbers(missing)}")
        else:
            parts.append(f"All {n} items answered.")
        problems = self.problems()
        if problems:
            parts.append("To submit: " + "; ".join(problems) + ".")
        self.status.value = "<div style='font-size:12px'>" + "<br>".join(html.escape(p) for p in parts) + "</div>"
        self.submit_button.disabled = bool(problems)
        self.scores_ = self._score()
        self.scores_view.value = _scores_html(self.scores_, self.instrument)

    def _score(self) -> pd.DataFrame:
        row = self.record().drop(columns=["submitted_at", "form"])
        return score(row, self.instrument, form=self.form_id, id_cols=list(self.ids) + ["rater"],
                     allow_unverified=self.allow_unverified)

    # --------------------------------------------------------------- display
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<QuestionnaireForm {self.instrument.id}:{self.form_id}, {len(self.unanswered())} unanswered>"


# -------------------------------------------------------------------- helpers
def _point_label(value: float, scale: ResponseScale) -> str:
    anchor = scale.anchors.get(value)
    return f"{value:g} {anchor}" if anchor else f"{value:g}"


def _scale_text(scale: ResponseScale) -> str:
    if scale.type == "continuous":
        ends = " / ".join(f"{v:g} = {a}" for v, a in sorted(scale.anchors.items()))
        return f"Mark each line from {scale.min:g} to {scale.max:g} ({ends}); tick 'answered' when done." if ends else \
            f"Mark each line from {scale.min:g} to {scale.max:g}; tick 'answered' when done."
    anchors = ", ".join(f"{v:g} {a}" for v, a in sorted(scale.anchors.items()))
    return f"Answer {scale.min:g} to {scale.max:g}" + (f": {anchors}." if anchors else ".")


def _missing_rule_text(ins: Instrument) -> str:
    parts = []
    for s in ins.subscale_ids:
        parts.append(f"{s} {ins.max_missing(s)} of {len(ins.items_of(s))}")
    if ins.scoring.total:
        extra = " (and every subscale scored)" if ins.missing.total_requires_subscales and ins.subscale_ids else ""
        parts.append(f"total {ins.max_missing('total')} of {ins.n_items}{extra}")
    return ("Missing answers: a score is still given (prorated from the answered items) when at most this many "
            "of its items are unanswered: " + "; ".join(parts) + ".")


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _scores_html(scores: pd.DataFrame, ins: Instrument) -> str:
    rows = []
    for s in ins.score_names:
        value = scores.at[scores.index[0], s]
        answered = int(scores.at[scores.index[0], f"{s}_n"])
        k = len(ins.items_of(s))
        if pd.isna(value):
            note = f"not scored: more than {ins.max_missing(s)} unanswered" if answered < k else "not scored"
            if s == "total" and ins.missing.total_requires_subscales and answered >= k - ins.max_missing(s):
                note = "not scored: a subscale is not scored"
        else:
            note = "prorated" if bool(scores.at[scores.index[0], f"{s}_prorated"]) else ""
        rows.append({"score": s, "value": float(value), "answered": f"{answered} of {k}", "note": note})
    return "<div style='font-size:12px'><b>Scores so far</b></div>" + table_html(pd.DataFrame(rows))


# --------------------------------------------------------------------- stores
def _make_store(target):
    if target is None:
        return _FrameStore(None)
    if isinstance(target, pd.DataFrame):
        return _FrameStore(target)
    if isinstance(target, (str, Path)):
        path = Path(target).expanduser()
        if path.suffix.lower() != ".csv":
            raise InvalidParameterError(f"The 'target' parameter of questionnaire_form(): {path} must be a .csv file "
                                        f"(got {path.suffix or 'no suffix'}); or pass a DataFrame, or None to keep "
                                        "the answers in memory")
        return _CsvStore(path)
    raise InvalidParameterError(f"The 'target' parameter of questionnaire_form() must be None, a DataFrame or a .csv "
                                f"path; got a {type(target).__name__}.")


class _FrameStore:
    def __init__(self, frame):
        self.frame = pd.DataFrame() if frame is None else frame.copy()

    def read(self) -> pd.DataFrame:
        return self.frame.copy()

    def append(self, row: pd.DataFrame) -> None:
        self.frame = row.copy() if self.frame.empty else pd.concat([self.frame, row], ignore_index=True)

    def size(self) -> int:
        return len(self.frame)

    def count_matching(self, ids) -> int:
        return _count_matching(self.frame, ids)

    def describe(self) -> str:
        return "the form's responses"


class _CsvStore:
    """Append-only CSV: the header is written once; rows are only ever added at the end."""

    def __init__(self, path: Path):
        self.path = path

    def read(self) -> pd.DataFrame:
        if not self.path.exists():
            return pd.DataFrame()
        return pd.read_csv(self.path)

    def append(self, row: pd.DataFrame) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() or self.path.stat().st_size == 0:
            with open(self.path, "x" if not self.path.exists() else "a", newline="", encoding="utf-8") as fh:
                row.to_csv(fh, index=False)
            return
        with open(self.path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
        if set(header) != set(row.columns):
            extra, missing = sorted(set(header) - set(row.columns)), sorted(set(row.columns) - set(header))
            raise FileExistsRefusal(
                f"{self.path} holds other columns than this form writes (only in the file: {extra}; "
                f"only in the form: {missing}); nothing was written. Choose another target file."
            )
        with open(self.path, "rb") as fh:
            fh.seek(-1, 2)
            ends_with_newline = fh.read(1) in (b"\n", b"\r")
        with open(self.path, "a", newline="", encoding="utf-8") as fh:
            if not ends_with_newline:
                fh.write("\n")
            row[header].to_csv(fh, index=False, header=False)

    def size(self) -> int:
        return len(self.read())

    def count_matching(self, ids) -> int:
        return _count_matching(self.read(), ids)

    def describe(self) -> str:
        return str(self.path)


def _count_matching(frame: pd.DataFrame, ids) -> int:
    if frame.empty or not set(ids) <= set(frame.columns):
        return 0
    mask = pd.Series(True, index=frame.index)
    for k, v in ids.items():
        mask &= frame[k].astype(str) == str(v)
    return int(mask.sum())
