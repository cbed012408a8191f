"""Hostile fixtures: every public name of ``toolkit`` that shows itself in a notebook, built from hostile strings.

A definition file or an export is shared between people; its strings (an instrument's name, item labels,
subscale names, ids, column names) must never run as code where a notebook displays them. Each entry of
:data:`FIXTURES` maps a public name of ``toolkit.__all__`` to

* a builder ``f(h) -> list`` of the objects that name gives a user (results, fitted estimators, instruments,
  DataFrames, widgets), built with the hostile strings of ``h`` wherever the user's strings go; or
* a string saying why the name has no display of user strings (it returns a path, a dict, ...).

``tests/browser/test_hostile_html.py`` checks that every public name has an entry and that every class of
the toolkit with an HTML display is among the objects built, then renders every object's HTML in Chromium.
When a public name or a displayable class is added, add its fixture here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: What an attacker would put in a shared definition file or export.
PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>", '"><svg onload=alert(1)>')


@dataclass
class Hostile:
    """Hostile strings and the inputs built from them (a folder for files)."""

    folder: Path

    def s(self, k: int, tag: str = "") -> str:
        """The k-th payload (cycling), with a tag to keep names distinct."""
        return f"{PAYLOADS[k % len(PAYLOADS)]}{tag}"

    # -- an instrument whose every free text is hostile ------------------------------------------------
    def definition(self) -> dict:
        from toolkit import load_instrument

        data = load_instrument("wai-s").model_dump(exclude={"source", "wording"})
        data["id"] = "hostile"
        data["name"] = "".join(PAYLOADS)
        data["short_name"] = PAYLOADS[0]
        data["description"] = PAYLOADS[1]
        data["licence"] = PAYLOADS[2]
        data["notes"] = PAYLOADS[1]
        data["citations"] = [{"text": f"{PAYLOADS[1]} (2024). A hostile paper.", "role": PAYLOADS[0]}]
        data["confidence"]["note"] = PAYLOADS[0]
        for k, item in enumerate(data["items"]):
            item["label"] = self.s(k, f" {k + 1}")
            item.pop("parent", None)
        for k, sub in enumerate(data["subscales"]):
            sub["name"] = self.s(k + 1)
            sub["description"] = self.s(k + 2)
        for k, form in enumerate(data["forms"]):
            form["name"] = self.s(k)
            form["note"] = self.s(k + 1)
        data["response_scale"]["anchors"] = {1.0: PAYLOADS[0], 4.0: PAYLOADS[1], 7.0: PAYLOADS[2]}
        data["response_scale"]["note"] = PAYLOADS[2]
        data["thresholds"] = [{"id": "low_total", "label": PAYLOADS[0], "applies_to": "total", "operator": "<",
                               "value": 30, "meaning": PAYLOADS[1], "source": PAYLOADS[2]}]
        return data

    def instrument(self):
        """Loaded from a YAML file, as a shared definition would be."""
        import yaml

        from toolkit import load_instrument

        path = self.folder / "hostile.yaml"
        path.write_text(yaml.safe_dump(self.definition(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        return load_instrument(path)

    # -- data -------------------------------------------------------------------------------------------
    def ids(self, n: int) -> list[str]:
        return [self.s(k, f"#{k}") for k in range(n)]

    def answers(self, n: int = 60, seed: int = 1, k: int = 12, high: int = 7) -> np.ndarray:
        """Ordinal answers 1..high with a common factor (so that analyses have something to find)."""
        rng = np.random.default_rng(seed)
        latent = rng.normal(size=(n, 1))
        x = np.rint(latent + rng.normal(scale=0.9, size=(n, k)) + (high + 1) / 2)
        return np.clip(x, 1, high)

    def responses(self, n: int = 60, seed: int = 1, rater: str = "client") -> pd.DataFrame:
        """Wide responses to the hostile instrument: hostile ids, hostile extra columns."""
        x = self.answers(n, seed)
        df = pd.DataFrame(x, columns=[f"hostile_{k:02d}" for k in range(1, 13)])
        df.insert(0, "dyad_id", [self.s(k % 20, f"#{k % 20}") for k in range(n)])
        df.insert(1, "session", [k // 20 + 1 for k in range(n)])
        df.insert(2, "client_id", df["dyad_id"])
        df.insert(3, "rater", rater)
        df[PAYLOADS[2]] = self.ids(n)  # a column named by the export, with hostile cells
        return df

    def items_frame(self, n: int = 200, k: int = 9) -> pd.DataFrame:
        """Item columns named with hostile strings (for the statistics that take plain item columns)."""
        return pd.DataFrame(self.answers(n, 3, k, high=5), columns=[self.s(j, f" q{j + 1}") for j in range(k)])

    def keys(self) -> dict:
        cols = list(self.items_frame().columns)
        return {PAYLOADS[0]: cols[:3], PAYLOADS[1]: cols[3:6], PAYLOADS[2]: cols[6:]}

    def pairs(self, shipped: bool = False):
        """Client and therapist of the hostile instrument (``shipped``: of the shipped WAI-S, hostile ids)."""
        from toolkit import pair_raters

        ins = "wai-s" if shipped else self.instrument()
        client = self.responses(60, 1, "client")
        therapist = self.responses(60, 2, "therapist")
        if shipped:
            client, therapist = (f.rename(columns=lambda c: c.replace("hostile_", "wai_s_"))
                                 for f in (client, therapist))
        return pair_raters(client, therapist, instrument_client=ins)

    def pairs_reloaded(self):
        """Pairs for the functions that look the instrument up again by its id.

        Until they carry the instrument object through (issue 9, item 5), a definition loaded from a file is
        unknown to them; they then get the shipped WAI-S with hostile ids and columns.
        """
        from toolkit.exceptions import UnknownInstrumentError

        pairs = self.pairs()
        try:
            from toolkit import item_kappa

            item_kappa(pairs)
            return pairs
        except UnknownInstrumentError:
            return self.pairs(shipped=True)


# ------------------------------------------------------------------ one builder per public name
def _instrument(h):
    return [h.instrument()]


def _attach_wording(h):
    from toolkit import attach_wording

    path = h.folder / "wording.json"
    path.write_text(json.dumps({str(k): h.s(k, " wording") for k in range(1, 13)}), encoding="utf-8")
    return [attach_wording(h.instrument(), path)]


def _score(h):
    from toolkit import score

    return [score(h.responses(), h.instrument(), keep="all")]


def _validate(h):
    from toolkit import validate_responses

    df = h.responses().astype({"hostile_02": object})
    df.loc[3, "hostile_02"] = PAYLOADS[1]  # a bad cell whose value is hostile
    return [validate_responses(df, h.instrument())]


def _read_responses(h):
    from toolkit import read_responses

    path = h.folder / "export.csv"
    h.responses().to_csv(path, index=False)
    return [read_responses(path, h.instrument()), read_responses(path)]


def _column_report(h):
    from toolkit import column_report

    return [column_report(h.responses(), h.instrument())]


def _reliability(h):
    from toolkit import reliability

    return [reliability(h.responses(), h.instrument(), n_boot=20, seed=1),
            reliability(h.items_frame(), keys=h.keys(), n_boot=0)]


def _item_analysis(h):
    from toolkit import item_analysis

    return [item_analysis(h.responses(), h.instrument()), item_analysis(h.items_frame(), keys=h.keys())]


def _cronbach(h):
    from toolkit import cronbach_alpha

    return [cronbach_alpha(h.items_frame(), n_boot=20, seed=1)]


def _split_half(h):
    from toolkit import split_half

    return [split_half(h.items_frame(), n_sample=50)]


def _omega_cfa(h):
    from toolkit import omega_cfa

    return [omega_cfa(h.items_frame(), keys=h.keys())]


def _icc(h):
    from toolkit import icc

    x = h.answers(30, 5, 3)
    long = pd.DataFrame({"target": np.repeat(h.ids(30), 3), "judge": np.tile([h.s(k) for k in range(3)], 30),
                         "rating": x.ravel()})
    return [icc(long, "target", "judge", "rating")]


def _reliable_change(h):
    from toolkit import reliable_change

    idx = pd.Index(h.ids(6), name=PAYLOADS[0])
    pre = pd.Series([20.0, 25, 30, 22, 28, 31], index=idx)
    post = pd.Series([28.0, 24, 35, 30, 27, 40], index=idx)
    return [reliable_change(pre, post, reliability=0.85, sd=5.0)]


def _retest(h):
    from toolkit import retest_reliability

    x = h.items_frame(40, 3).sum(axis=1).rename(PAYLOADS[0])
    x.index = h.ids(40)
    y = (x + np.random.default_rng(2).normal(scale=0.5, size=len(x))).rename(PAYLOADS[1])
    return [retest_reliability(x, y)]


def _efa(h):
    from toolkit import EFA

    return [EFA(3, rotation="oblimin").fit(h.items_frame()), EFA(2)]


def _polychoric(h):
    from toolkit import polychoric

    return [polychoric(h.items_frame(300, 4))]


def _parallel(h):
    from toolkit import parallel_analysis

    return [parallel_analysis(h.items_frame(), n_iter=5, seed=1)]


def _velicer(h):
    from toolkit import velicer_map

    return [velicer_map(h.items_frame(), 3)]


def _kmo(h):
    from toolkit import kmo

    return [kmo(h.items_frame())]


def _bartlett(h):
    from toolkit import bartlett_sphericity

    return [bartlett_sphericity(h.items_frame())]


def _schmid(h):
    from toolkit import schmid_leiman

    return [schmid_leiman(h.items_frame(), 3)]


def _pair_raters(h):
    return [h.pairs()]


def _agreement(h):
    from toolkit import agreement

    return [agreement(h.pairs())]


def _item_kappa(h):
    from toolkit import item_kappa

    return [item_kappa(h.pairs_reloaded())]


def _dyads(h):
    from toolkit import dyad_discrepancies

    return [dyad_discrepancies(h.pairs())]


def _apim_data(h) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 40
    a = rng.normal(size=(n, 2))
    out = 0.5 * a + 0.2 * a[:, ::-1] + rng.normal(scale=0.7, size=(n, 2))
    return pd.DataFrame({"dyad_id": np.repeat(h.ids(n), 2), "rater": np.tile(["client", "therapist"], n),
                         "alliance": a.ravel(), "outcome": out.ravel()})


def _apim_class(h):
    from toolkit import APIM

    return [APIM().fit(_apim_data(h)), APIM()]


def _apim(h):
    from toolkit import apim

    return [apim(_apim_data(h))]


def _rsa_data(h) -> pd.DataFrame:
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(2, 120))
    out = 0.4 * x + 0.3 * y - 0.2 * (x - y) ** 2 + rng.normal(scale=0.5, size=120)
    return pd.DataFrame({PAYLOADS[0]: x, PAYLOADS[1]: y, PAYLOADS[2]: out}, index=h.ids(120))


def _rsa_class(h):
    from toolkit import ResponseSurface

    return [ResponseSurface(PAYLOADS[2], PAYLOADS[0], PAYLOADS[1]).fit(_rsa_data(h))]


def _rsa(h):
    from toolkit import response_surface

    return [response_surface(_rsa_data(h), PAYLOADS[2], PAYLOADS[0], PAYLOADS[1])]


def _compare(h):
    from toolkit import compare_raters

    pairs = h.pairs_reloaded()
    return [compare_raters(paired=pairs, dyad=pairs.dyad_ids[0])]


def _form(h):
    from toolkit import questionnaire_form

    return [questionnaire_form(h.instrument(), rater="client")]


# -- sessions: a client's series, with hostile client ids --------------------------------------------------
def _series(h) -> dict:
    """SRS and ORS lines of three clients over eight sessions; two of the clients have hostile ids."""
    rng = np.random.default_rng(12)
    ids = [PAYLOADS[0], PAYLOADS[2], "c3"]
    rows = []
    for c, cid in enumerate(ids):
        for session in range(1, 9):
            dip = 1.2 if (c == 0 and session == 5) else 0.0
            rows.append({"client_id": cid, "session": session,
                         **{f"srs_{k:02d}": round(float(np.clip(9.2 - dip + rng.normal(0, 0.3), 0, 10)), 1)
                            for k in range(1, 5)},
                         **{f"ors_{k:02d}": round(float(np.clip(4 + 0.5 * session + rng.normal(0, 0.6), 0, 10)), 1)
                            for k in range(1, 5)}})
    srs = pd.DataFrame(rows)
    scores = srs[["client_id", "session"]].copy()
    scores["srs"] = srs[[f"srs_{k:02d}" for k in range(1, 5)]].sum(axis=1).round(1)
    scores["ors"] = srs[[f"ors_{k:02d}" for k in range(1, 5)]].sum(axis=1).round(1)
    return {"items": srs, "scores": scores}


def _trajectories(h):
    from toolkit import trajectories

    return [trajectories(_series(h)["scores"], "srs", value="srs")]


def _session_scores(h):
    from toolkit import session_scores

    return [session_scores(_series(h)["items"], "srs")]


def _session_alerts(h):
    from toolkit import session_alerts

    return [session_alerts(_series(h)["items"], "srs")]


def _clinical_change(h):
    from toolkit import clinical_change

    return [clinical_change(_series(h)["scores"], "ors", value="ors")]


def _caseload_summary(h):
    from toolkit import caseload_summary, clinical_change, session_alerts

    d = _series(h)
    return [caseload_summary(session_alerts(d["items"], "srs"),
                             change=clinical_change(d["scores"], "ors", value="ors"), attention="all")]


def _episodes(rule):
    def build(h):
        import toolkit

        scores = _series(h)["scores"]
        if rule == "drop_below_running_mean":
            return [toolkit.drop_below_running_mean(scores, value="srs")]
        return [getattr(toolkit, rule)(scores, cutoff=1.0, value="ors")]
    return build


def _lags(h):
    from toolkit import add_lags, person_mean_center

    lagged = add_lags(_series(h)["scores"], "srs")
    return [lagged, person_mean_center(lagged, "srs_lag1")]


def _mixed(h):
    from toolkit import MixedModel, mixed_model

    d = _series(h)["scores"]
    d["x"] = d["srs"] - d.groupby("client_id")["srs"].transform("mean")
    return [mixed_model(d, "ors ~ x", optimizer="bounded"), MixedModel("ors ~ x", optimizer="bounded").fit(d),
            MixedModel("ors ~ x")]


def _timeline(h):
    from toolkit import session_alerts, session_timeline, trajectories

    d = _series(h)
    return [session_timeline(trajectories(d["scores"], "srs", value="srs"), alerts=session_alerts(d["items"], "srs"))]


def _caseload_view(h):
    from toolkit import caseload_summary, caseload_view, session_alerts, trajectories

    d = _series(h)
    alerts = session_alerts(d["items"], "srs")
    return [caseload_view(caseload_summary(alerts, attention="all"), trajectories(d["scores"], "srs", value="srs"),
                          alerts=alerts)]


# -- confirmatory factor analysis and invariance: hostile group labels, row labels, subscale names --------
def _cfa_data(h, n: int = 240) -> pd.DataFrame:
    """Three correlated factors of three items each (syntax names are identifiers), hostile groups and rows."""
    rng = np.random.default_rng(21)
    eta = rng.multivariate_normal(np.zeros(3), [[1, .4, .3], [.4, 1, .5], [.3, .5, 1]], size=n)
    x = np.repeat(eta, 3, axis=1) * 0.7 + rng.normal(scale=0.6, size=(n, 9))
    data = pd.DataFrame(x, columns=[f"x{j}" for j in range(1, 10)], index=h.ids(n))
    data.insert(0, "group", np.tile([PAYLOADS[0], PAYLOADS[1]], n // 2))
    return data


CFA_SYNTAX = "f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6\nf3 =~ x7 + x8 + x9"


def _cfa_class(h):
    from toolkit import CFA

    data = _cfa_data(h)
    return [CFA(CFA_SYNTAX).fit(data), CFA(CFA_SYNTAX, estimator="MLR").fit(data, group="group"),
            CFA(CFA_SYNTAX)]


def _cfa(h):
    from toolkit import cfa

    return [cfa(_cfa_data(h), CFA_SYNTAX, group="group", group_equal=["loadings"])]


def _compare_models(h):
    from toolkit import cfa, compare_models

    data = _cfa_data(h)
    one = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9"
    return [compare_models(cfa(data, CFA_SYNTAX), cfa(data, one), names=[PAYLOADS[0], PAYLOADS[2]])]


def _composite_reliability(h):
    from toolkit import cfa, composite_reliability

    return [composite_reliability(cfa(_cfa_data(h), CFA_SYNTAX))]


def _cfa_family(h):
    from toolkit import cfa_family

    # the bifactor model does not converge on these one-factor data (and takes seconds to say so): left out
    return [cfa_family(h.items_frame(), keys=h.keys(), members=["one_factor", "correlated", "second_order"])]


def _invariance(h):
    from toolkit import invariance

    data = h.items_frame(400)
    data.insert(0, "group", np.tile([PAYLOADS[0], PAYLOADS[2]], 200))
    return [invariance(data, keys=h.keys(), group="group", steps=("configural", "metric", "scalar"))]


def _rater_invariance(h):
    from toolkit import rater_invariance

    x = h.items_frame(200)
    long = pd.concat([x.iloc[:100].assign(dyad=h.ids(100), who=PAYLOADS[0]),
                      x.iloc[100:].reset_index(drop=True).assign(dyad=h.ids(100), who=PAYLOADS[1])],
                     ignore_index=True)
    return [rater_invariance(long, keys=h.keys(), rater="who", on="dyad", steps=("configural", "metric"))]


def _validation_report(h):
    """The hostile instrument's key (labels, subscale names) and a hostile title in a validation report, with
    its CFA section (loadings labelled by the hostile items and subscales) and invariance across a column with
    a hostile name and hostile groups (named in the text, the table title and the notes)."""
    from toolkit import validation_report

    data = h.responses(150, 4)
    data[PAYLOADS[0]] = np.tile([PAYLOADS[1], PAYLOADS[2]], 75)
    # the one-factor data: the second-order and bifactor models do not converge (and take seconds to say so)
    return [validation_report(data, h.instrument(), n_factors=2, n_boot=20, n_iter=4, title=PAYLOADS[1],
                              cfa=["one_factor", "correlated"], group=PAYLOADS[0])]


def _clinic_report(h):
    """Hostile client ids, clinic name and title in a clinic report with its charts."""
    from toolkit import clinic_report

    return [clinic_report(_series(h)["items"], ["srs", "ors"], title=PAYLOADS[0], clinic=PAYLOADS[1])]


def _clinic_dashboard(h):
    """The no-code dashboard given an export with hostile ids (the widget's own HTML)."""
    from toolkit import clinic_dashboard

    board = clinic_dashboard(_series(h)["items"], ["srs", "ors"], clinic=PAYLOADS[2])
    board.run.click()
    return [board]


def _plan(h):
    """A plan for the hostile instrument (its name, subscale names and form names are hostile)."""
    from toolkit import Population, plan

    pop = Population(h.instrument(), loadings=0.7, rater_loadings={1: 0.5})
    return [plan(pop, n=[30], analyses=["omega", "icc_agreement"], n_reps=2, seed=1, reference_n=500),
            # the tests of a model: the family's members and the choices table, on hostile subscale names
            plan(pop, n=[40], analyses=["cfa_family", "invariance_metric"], n_reps=2, seed=1, reference_n=500,
                 options={"cfa_family": {"criterion": "fit"}})]


FIXTURES: dict[str, Callable | str] = {
    "validation_report": _validation_report,
    "clinic_report": _clinic_report,
    "clinic_dashboard": _clinic_dashboard,
    "Instrument": _instrument,
    "load_instrument": _instrument,
    "attach_wording": _attach_wording,
    "list_instruments": "the shipped instruments only: no user-supplied strings",
    "definition_schema": "returns a dict (the JSON Schema)",
    "template_path": "returns a path",
    "score": _score,
    "validate_responses": _validate,
    "match_item_columns": "returns a dict {item number: column}",
    "read_responses": _read_responses,
    "column_report": _column_report,
    "load_sample": "the shipped samples only: no user-supplied strings",
    "list_samples": "the shipped samples only: no user-supplied strings",
    "simulate": "simulated data from numeric parameters: no user-supplied strings",
    "reliability": _reliability,
    "item_analysis": _item_analysis,
    "cronbach_alpha": _cronbach,
    "split_half": _split_half,
    "omega_cfa": _omega_cfa,
    "icc": _icc,
    "reliable_change": _reliable_change,
    "retest_reliability": _retest,
    "EFA": _efa,
    "polychoric": _polychoric,
    "parallel_analysis": _parallel,
    "velicer_map": _velicer,
    "kmo": _kmo,
    "bartlett_sphericity": _bartlett,
    "schmid_leiman": _schmid,
    "pair_raters": _pair_raters,
    "agreement": _agreement,
    "item_kappa": _item_kappa,
    "dyad_discrepancies": _dyads,
    "APIM": _apim_class,
    "apim": _apim,
    "ResponseSurface": _rsa_class,
    "response_surface": _rsa,
    "compare_raters": _compare,
    "questionnaire_form": _form,
    "trajectories": _trajectories,
    "session_scores": _session_scores,
    "session_alerts": _session_alerts,
    "clinical_change": _clinical_change,
    "caseload_summary": _caseload_summary,
    "drop_below_running_mean": _episodes("drop_below_running_mean"),
    "sudden_gains": _episodes("sudden_gains"),
    "sudden_losses": _episodes("sudden_losses"),
    "add_lags": _lags,
    "person_mean_center": _lags,
    "mixed_model": _mixed,
    "MixedModel": _mixed,
    "session_timeline": _timeline,
    "caseload_view": _caseload_view,
    "CFA": _cfa_class,
    "cfa": _cfa,
    "compare_models": _compare_models,
    "composite_reliability": _composite_reliability,
    "path_diagram": "draws on a matplotlib Axes and returns it: no HTML",
    "cfa_family": _cfa_family,
    "invariance": _invariance,
    "rater_invariance": _rater_invariance,
    "plan": _plan,
    "Population": "a population model (an instrument and numbers) with no display of its own; plan()'s result "
                  "shows it",
    "exceptions": "a module of exception classes",
    "__version__": "a version string",
}

def _efa_heywood(h):
    """A duplicated item makes a Heywood case, whose note names the item columns."""
    from toolkit import EFA

    x = h.items_frame(200, 6).astype(float)
    x.iloc[:, 1] = x.iloc[:, 0] + np.random.default_rng(0).normal(scale=0.05, size=len(x))
    return [EFA(2, method="ml").fit(x)]


def _ordinal_data(h, groups: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    z = rng.normal(size=(800, 1)) * lam + rng.normal(size=(800, 4)) * np.sqrt(1 - lam ** 2)
    data = pd.DataFrame(np.digitize(z, (-1.0, 0.0, 1.0)) + 1, columns=[h.s(j, f" y{j + 1}") for j in range(4)])
    if groups:
        data.insert(0, "group", np.tile([PAYLOADS[0], PAYLOADS[1]], 400))
    return data


def _ordinal_statistics(h):
    from toolkit.factor.cfa.ordinal import ordinal_statistics

    return [ordinal_statistics(_ordinal_data(h)), ordinal_statistics(_ordinal_data(h, True), group="group")]


def _fit_wls(h):
    """A one-factor model of four ordered items, its parameters named with hostile strings."""
    from toolkit.factor.cfa.ordinal import ordinal_statistics
    from toolkit.factor.cfa.wls import fit_wls

    sample = ordinal_statistics(_ordinal_data(h)).samples[0]
    n_th, (a, b), p = sample.n_thresholds, sample.pairs, sample.n_items

    def implied(theta):
        lam = theta[n_th:]
        return [np.concatenate([theta[:n_th], lam[a] * lam[b]])]

    def jacobian(theta):
        lam = theta[n_th:]
        d = np.zeros((len(sample.wls_obs), n_th + p))
        d[:n_th, :n_th] = np.eye(n_th)
        rows = n_th + np.arange(len(a))
        d[rows, n_th + a] = lam[b]
        d[rows, n_th + b] = lam[a]
        return [d]

    start = np.concatenate([sample.thresholds, np.full(p, 0.5)])
    names = [h.s(k, f" t{k}") for k in range(n_th)] + [h.s(k, f" =~ y{k + 1}") for k in range(p)]
    return [fit_wls(sample, implied, jacobian, start, names=names)]


def _omega(h):
    from toolkit import factor

    return [factor.omega(h.items_frame(), 3)]


def _dyadic_statistics(h):
    """The single statistics of toolkit.dyadic, on columns named with hostile strings (and hostile categories)."""
    from toolkit import dyadic
    from toolkit._results import Estimate

    rng = np.random.default_rng(9)
    x = pd.Series(rng.normal(size=50), name=PAYLOADS[0], index=h.ids(50))
    y = (x + rng.normal(scale=0.5, size=50)).rename(PAYLOADS[1])
    out = [dyadic.pearson_r(x, y), dyadic.concordance(x, y), dyadic.paired_t(x, y), dyadic.d_z(x, y),
           dyadic.bland_altman(x, y)]
    a = rng.integers(1, 4, 80)
    b = np.clip(a + rng.integers(-1, 2, 80), 1, 3)
    out.append(dyadic.weighted_kappa(pd.Series(a, name=PAYLOADS[0]), pd.Series(b, name=PAYLOADS[1])))
    out.append(Estimate(statistic=PAYLOADS[0], estimate=0.5, n=10, notes=[PAYLOADS[1]]))
    return out


def _bland_altman_data(h):
    from toolkit.dyadic.plots import bland_altman_data

    pairs = h.pairs()
    dyad = pairs.wide.iloc[0][pairs.on[0]] if hasattr(pairs, "wide") else None
    return [bland_altman_data(pairs, dyad=dyad)]


def _classroom(h):
    """An exercise for a hostile student id and course, and the feedback on a hostile answer to each step."""
    from toolkit import classroom

    out = []
    for name in classroom.list_exercises().index[:3]:
        ex = classroom.exercise(name, PAYLOADS[0], course=PAYLOADS[2])
        out.append(ex)
        out += [ex.check(step, PAYLOADS[1]) for step in ex.steps.index]
    return out


def _streamed(h):
    """Streamed scoring of a file with a hostile name, hostile ids and column names, and a bad cell."""
    from toolkit.io.stream import score_file

    df = h.responses(40).drop(columns=["rater"]).astype({c: object for c in [f"hostile_{k:02d}" for k in (1, 2)]})
    df.loc[3, "hostile_01"] = PAYLOADS[1]  # a bad cell holding a payload
    src = h.folder / f"{PAYLOADS[0]}.csv"
    df.to_csv(src, index=False)
    return [score_file(src, h.folder / f"scored {PAYLOADS[0]}", h.instrument(), on_invalid="missing",
                       chunk_rows=15, force=True)]


#: More objects: displays that only some inputs reach, and public functions of the subpackages that return
#: a class of their own (name -> builder).
VARIANTS: dict[str, Callable] = {
    "EFA, Heywood case": _efa_heywood,
    "factor.omega": _omega,
    "factor.cfa.ordinal_statistics": _ordinal_statistics,
    "factor.cfa.fit_wls": _fit_wls,
    "dyadic statistics": _dyadic_statistics,
    "dyadic.plots.bland_altman_data": _bland_altman_data,
    "classroom": _classroom,
    "io.stream.score_file": _streamed,
}

#: Displays known to be unescaped on this branch, with who fixes them (the test expects them to fail, strictly:
#: once fixed, the test says so, and the entry is removed).
KNOWN_UNESCAPED: dict[str, str] = {}

#: Classes with an HTML display that no user ever holds as such (bases of the ones built above).
ABSTRACT_DISPLAYS = {"toolkit._results.Result", "toolkit._estimator.Estimator",
                     "toolkit.reports.document.Report"}


def html_of(obj) -> str:
    """The HTML a notebook shows for ``obj``: its ``_repr_html_``, or the HTML inside a widget."""
    if hasattr(obj, "_repr_html_") and not _is_widget(obj):
        return obj._repr_html_() or ""
    widget = getattr(obj, "widget", obj)
    if _is_widget(widget):
        return "\n".join(_widget_html(widget))
    raise TypeError(f"{type(obj).__name__} has no HTML display")


def has_display(obj) -> bool:
    return (hasattr(obj, "_repr_html_") and not isinstance(obj, type)) or _is_widget(getattr(obj, "widget", obj))


def _is_widget(obj) -> bool:
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, ipywidgets.Widget)


def _widget_html(widget) -> list[str]:
    """The HTML strings a widget tree shows (HTML and HTMLMath values, labels, descriptions, options)."""
    import ipywidgets
    from html import escape

    out = []
    if isinstance(widget, (ipywidgets.HTML, ipywidgets.HTMLMath)):
        out.append(widget.value)
    elif isinstance(widget, ipywidgets.ValueWidget) and isinstance(getattr(widget, "value", None), str):
        out.append(f"<span>{escape(widget.value)}</span>")  # text widgets show their value as text
    description = getattr(widget, "description", "")
    if description and getattr(getattr(widget, "style", None), "description_allow_html", False):
        out.append(description)
    for child in getattr(widget, "children", ()) or ():
        out.extend(_widget_html(child))
    return out
