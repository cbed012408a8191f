"""The validation report: a methods and results section for a scale, with APA-style tables and figures.

The report runs the toolkit's own analyses (each checked against R in its own tests) and writes what they
found: item analysis, reliability with intervals, dimensionality (KMO, Bartlett, parallel analysis, MAP) and
an exploratory factor analysis, the confirmatory factor analyses of the instrument's model family and, across
the groups of a column, measurement invariance (:mod:`toolkit.reports.confirmatory`). It computes nothing of
its own.

Extension point
---------------
The results are built by the functions in :data:`SECTIONS`, in order. Each takes the :class:`Context` and
adds one subsection to the results (``ctx.results.subsection(...)``), its sentence to the method
(``ctx.method(...)``) and its tables to ``ctx.tables``. A new analysis is one more function appended to
:data:`SECTIONS`; the confirmatory ones (``cfa_section``, ``invariance_section``) live in
:mod:`toolkit.reports.confirmatory`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import (check_ci, check_choice, check_count, check_number, check_seed, instrument_or_keys,
                       warn)
from ..exceptions import AllianceError, AllianceWarning, InvalidParameterError
from .confirmatory import cfa_section, check_members, invariance_section
from .document import Document, Report, Section, render
from .tables import DASH, fmt_bounded, fmt_int, fmt_number, fmt_p

__all__ = ["validation_report", "ValidationReport", "Context", "SECTIONS"]

CALLER = "validation_report"


@dataclass(kw_only=True, repr=False, eq=False)
class ValidationReport(Report):
    """A scale validation report (see :func:`validation_report`).

    Attributes
    ----------
    html : str
        The report: one self-contained HTML page.
    table : DataFrame
        Reliability, one row per subscale and the total (:func:`toolkit.reliability`'s table).
    items : DataFrame
        Item analysis (:func:`toolkit.item_analysis`'s table).
    dimensionality : DataFrame
        How many factors each criterion suggests (``criterion``, ``factors``).
    loadings : DataFrame
        The EFA's loadings, ``h2``, ``u2`` and ``com`` (unrounded, nothing blanked).
    cfa : DataFrame
        Fit of each member of the CFA family: :func:`toolkit.validity.cfa_family`'s ``table``, unrounded
        (empty when no CFA was run).
    cfa_comparisons : DataFrame
        The chi-square difference tests of the nested members (``cfa_family``'s ``comparisons``).
    cfa_omega : DataFrame
        The omegas of each member of the CFA family (``cfa_family``'s ``omega``: ``member``, ``factor``,
        ``omega``, ``n_items``, ``kind``; semTools' compRelSEM).
    cfa_loadings : DataFrame
        The reference model's loadings (the correlated subscales, else the one factor): ``factor``, ``item``,
        ``est``, ``se``, ``p`` (lavaan's ``parameterEstimates``), ``std_all`` and its ``std_se``
        (``standardizedSolution``), ``r2``.
    invariance : DataFrame
        The invariance steps across ``group`` (:func:`toolkit.validity.invariance`'s ``table``; empty without
        ``group``).
    results : dict
        The analyses' own results by name (``"reliability"``, ``"items"``, ``"kmo"``, ``"bartlett"``,
        ``"parallel"``, ``"map"``, ``"efa"``, ``"cfa_family"``, ``"invariance"``), for their full output and
        notes.
    sections : tuple of str
        Section titles.

    Examples
    --------
    >>> import toolkit
    >>> s = toolkit.load_sample("wai_sr_sessions")
    >>> rep = toolkit.validation_report(s[s["session"] == 2], "wai-sr", n_boot=0, n_iter=3, cfa=False)
    >>> rep.dimensionality["criterion"].tolist()[0], list(rep.results)[:2], rep.cfa.empty
    ("The instrument's key (subscales)", ['items', 'reliability'], True)
    """

    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    dimensionality: pd.DataFrame = field(default_factory=pd.DataFrame)
    loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
    cfa: pd.DataFrame = field(default_factory=pd.DataFrame)
    cfa_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    cfa_omega: pd.DataFrame = field(default_factory=pd.DataFrame)
    cfa_loadings: pd.DataFrame = field(default_factory=pd.DataFrame)
    invariance: pd.DataFrame = field(default_factory=pd.DataFrame)
    results: dict = field(default_factory=dict)


@dataclass
class Context:
    """What the section builders share: the data, the options, the document and what was found so far."""

    data: pd.DataFrame
    instrument: object  # Instrument or None
    keys: object
    form: str | None
    X: pd.DataFrame  # keyed item scores, the toolkit's column names
    scales: dict  # scale -> item columns (subscales; the total when there are several)
    labels: dict  # item column -> label
    options: dict
    doc: Document
    results: Section  # the Results section of the document
    method_sentences: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)  # the report's tables, unrounded, by name
    found: dict = field(default_factory=dict)  # the analyses' results, by name

    def method(self, sentence: str) -> None:
        self.method_sentences.append(str(sentence))

    def run(self, label: str, func: Callable, *args, **kwargs):
        """Run one analysis: its warnings become notes of the report and are raised again at the caller's line."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = func(*args, **kwargs)
        for w in caught:
            self.doc.note(f"{label}: {w.message}")
            if issubclass(w.category, AllianceWarning):
                warn(f"{label}: {w.message}", w.category)
        return out


def _apa(x, digits=2):
    return fmt_bounded(x, digits)


def _ci(low, high, digits=2) -> str:
    if low is None or high is None or (isinstance(low, float) and math.isnan(low)) or \
            (isinstance(high, float) and math.isnan(high)):
        return ""
    return f"[{fmt_bounded(low, digits)}, {fmt_bounded(high, digits)}]"


# ----------------------------------------------------------------------------------------- section builders
def item_section(ctx: Context) -> None:
    """Item analysis: means, SDs, corrected item-total correlations, alpha if deleted, floor and ceiling."""
    from ..reliability_stats import item_analysis

    sec = ctx.results.subsection("Item analysis")
    res = ctx.run("item analysis", item_analysis, ctx.data, ctx.instrument, keys=ctx.keys, form=ctx.form)
    ctx.found["items"] = res
    table = res.table.reset_index()
    ctx.tables["items"] = res.table
    has_labels = "label" in table and table["label"].astype(str).str.len().gt(0).any()
    cols = ["scale", "item"] + (["label"] if has_labels else []) + \
        ["reversed", "mean", "sd", "r_drop", "alpha_if_deleted", "floor", "ceiling", "flags"]
    shown = table[cols].copy()
    shown["reversed"] = np.where(shown["reversed"].astype(bool), "R", "")
    shown["flags"] = shown["flags"].fillna("").astype(str)
    flagged = shown[shown["flags"].str.len() > 0]
    ctx.method("Items were described by their means and standard deviations, corrected item-total "
               "correlations (each item with the sum of the other items of its subscale) and the subscale's "
               "alpha with the item deleted (R equivalent: psych::alpha).")
    n_items = len(shown)
    if len(flagged):
        listed = "; ".join(f"{r.item} ({r.flags})" for r in flagged.itertuples())
        sec.paragraph(f"Of the {n_items} items, {len(flagged)} were flagged: {listed}. An item is flagged when its "
                      "subscale's alpha rises without it, when its corrected item-total correlation is below .30 "
                      "or negative, or when more than 15% of answers sit at the lowest or highest response.")
    else:
        sec.paragraph(f"None of the {n_items} items was flagged: every corrected item-total correlation was at "
                      "least .30 and positive, no subscale's alpha rose when an item was deleted, and no item had "
                      "more than 15% of answers at the lowest or highest response.")
    sec.table(shown, title="Item Statistics", group="scale",
              note="R = reverse-keyed (statistics on the reversed scores). r_drop = corrected item-total "
                   "correlation; α−i = the subscale's alpha without the item; floor and ceiling = share of "
                   "answers at the lowest and highest response.",
              labels={"item": "Item", "label": "Label", "reversed": "", "mean": "M", "sd": "SD",
                      "r_drop": "r_drop", "alpha_if_deleted": "α−i", "floor": "Floor", "ceiling": "Ceiling",
                      "flags": "Flags"},
              formats={"mean": "number", "sd": "number", "r_drop": "bounded", "alpha_if_deleted": "bounded",
                       "floor": "percent", "ceiling": "percent", "reversed": "text"},
              align={"reversed": "center"})


def reliability_section(ctx: Context) -> None:
    """Reliability: alpha with Feldt and BCa intervals, omega (CFA and Schmid-Leiman), SEM."""
    from ..reliability_stats import reliability

    o = ctx.options
    sec = ctx.results.subsection("Reliability")
    res = ctx.run("reliability", reliability, ctx.data, ctx.instrument, keys=ctx.keys, form=ctx.form, ci=o["ci"],
                  n_boot=o["n_boot"], seed=o["seed"])
    ctx.found["reliability"] = res
    t = res.table
    ctx.tables["reliability"] = t
    level = f"{100 * o['ci']:g}%"
    boot = o["n_boot"] > 0
    ctx.method(f"Internal consistency was estimated by Cronbach's alpha with {level} Feldt intervals"
               + (f" and bias-corrected and accelerated bootstrap intervals ({o['n_boot']} resamples, seed "
                  f"{o['seed']})" if boot else "") +
               " (R equivalent: psych::alpha), and by McDonald's omega from one-factor confirmatory models per "
               "subscale (semTools::compRelSEM) and, for the total, from a Schmid-Leiman solution "
               "(psych::omega).")
    sentences = []
    for scale, row in t.iterrows():
        text = f"{scale}: α = {_apa(row['alpha'])}, {level} CI {_ci(row['feldt_low'], row['feldt_high'])}"
        if pd.notna(row.get("omega_cfa", np.nan)):
            text += f", ω = {_apa(row['omega_cfa'])}"
        if pd.notna(row.get("omega_h", np.nan)):
            text += f", ωh = {_apa(row['omega_h'])}"
        sentences.append(text)
    sec.paragraph("Internal consistency was " + _describe_alphas(t["alpha"]) + ". " + "; ".join(sentences) + ".")
    shown = t.reset_index()
    columns = [("scale", "Scale", "text"), ("n_items", "k", "int"), ("n", "n", "int"), ("mean", "M", "number"),
               ("sd", "SD", "number"), ("alpha", "α", "bounded"), ("feldt_low", "Lower", "bounded"),
               ("feldt_high", "Upper", "bounded")]
    if boot:
        columns += [("bca_low", "Lower ", "bounded"), ("bca_high", "Upper ", "bounded")]
    columns += [("omega_cfa", "ω", "bounded"), ("omega_h", "ωh", "bounded"), ("sem", "SEM", "number")]
    columns = [c for c in columns if c[0] in shown.columns and shown[c[0]].notna().any()]
    spanners = {f"Feldt {level} CI": ["feldt_low", "feldt_high"]}
    if boot and all(c in dict((c[0], 1) for c in columns) for c in ("bca_low", "bca_high")):
        spanners[f"BCa {level} CI"] = ["bca_low", "bca_high"]
    bold = [i for i, s in enumerate(shown["scale"]) if s == "total"]
    sec.table(shown[[c[0] for c in columns]], title="Reliability of the Subscales and the Total",
              labels={c: lab for c, lab, _ in columns}, formats={c: f for c, _, f in columns},
              spanners=spanners, bold_rows=bold,
              note=f"k = items; M and SD in the {_metric(ctx)} metric; α = Cronbach's alpha; ω = omega from a "
                   "confirmatory model (the total: correlated subscale factors); ωh = omega hierarchical "
                   "(Schmid-Leiman); SEM = standard error of measurement. Missing answers: "
                   f"{t['missing'].iloc[0] if 'missing' in t else 'pairwise'}.")


def _metric(ctx: Context) -> str:
    ins = ctx.instrument
    return getattr(getattr(ins, "scoring", None), "method", "mean") if ins is not None else "mean"


def _describe_alphas(alphas: pd.Series) -> str:
    lo, hi = float(alphas.min()), float(alphas.max())
    if math.isnan(lo):
        return "not estimable"

    def word(a):
        return "excellent" if a >= .9 else "good" if a >= .8 else "acceptable" if a >= .7 else \
            "questionable" if a >= .6 else "poor"

    if word(lo) == word(hi):
        return f"{word(lo)} (α from {_apa(lo)} to {_apa(hi)})" if lo != hi else f"{word(lo)}"
    return f"between {word(lo)} and {word(hi)} (α from {_apa(lo)} to {_apa(hi)})"


def dimensionality_section(ctx: Context) -> None:
    """Suitability (KMO, Bartlett) and how many factors (parallel analysis, Velicer's MAP), with the scree."""
    from .. import factor
    from .charts import embed_matplotlib

    o = ctx.options
    sec = ctx.results.subsection("Dimensionality")
    X = ctx.X
    try:
        kmo = ctx.run("KMO", factor.kmo, X)
    except AllianceError as exc:
        kmo = None
        sec.paragraph(f"The KMO measure of sampling adequacy could not be computed: {exc}")
    bart = ctx.run("Bartlett's test", factor.bartlett_sphericity, X)
    pa = ctx.run("parallel analysis", factor.parallel_analysis, X, n_iter=o["n_iter"], seed=o["seed"])
    vmap = ctx.run("Velicer's MAP", factor.velicer_map, X, n_max=min(8, max(1, X.shape[1] - 1)))
    ctx.found.update({"kmo": kmo, "bartlett": bart, "parallel": pa, "map": vmap})
    ctx.method(f"Suitability for factoring was judged by the Kaiser-Meyer-Olkin measure (psych::KMO) and "
               f"Bartlett's test of sphericity (psych::cortest.bartlett); the number of factors by parallel "
               f"analysis ({o['n_iter']} simulated and resampled data sets; psych::fa.parallel) and Velicer's "
               "minimum average partial (psych::VSS).")
    text = ""
    if kmo is not None:
        text += f"The Kaiser-Meyer-Olkin measure of sampling adequacy was {_apa(kmo.msa)}, and "
    else:
        text += "Bartlett's test: "
    text += (f"Bartlett's test of sphericity gave χ²({fmt_int(bart.df)}) = {fmt_number(bart.chi2)}, "
             f"p {_p_text(bart.p_value)}. ")
    text += str(pa.evidence()) + f" Velicer's MAP criterion was lowest at {vmap.n_factors} factor(s)."
    sec.paragraph(text)
    rows = []
    if ctx.instrument is not None and ctx.instrument.subscales:
        rows.append(("The instrument's key (subscales)", len(ctx.instrument.subscales)))
    rows += [("Parallel analysis: factors", pa.n_factors), ("Parallel analysis: components", pa.n_components),
             ("Velicer's MAP", vmap.n_factors)]
    dim = pd.DataFrame(rows, columns=["criterion", "factors"])
    ctx.tables["dimensionality"] = dim
    sec.table(dim, title="Number of Factors Suggested", labels={"criterion": "Criterion", "factors": "Factors"},
              formats={"factors": "int"})
    import matplotlib

    matplotlib.use("Agg", force=False)
    ax = pa.plot()
    sec.figure(title="Scree Plot with Parallel Analysis", src=embed_matplotlib(ax.figure),
               alt="Observed eigenvalues against the eigenvalues of simulated and resampled data",
               note=f"Observed eigenvalues of the factor (and component) solutions against the "
                    f"{100 * pa.quantile:g}th percentile of eigenvalues from random data of the same size.")


def _p_text(p) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


def efa_section(ctx: Context) -> None:
    """Exploratory factor analysis with the chosen number of factors: loadings, factor correlations, fit."""
    from ..factor import EFA

    o = ctx.options
    sec = ctx.results.subsection("Exploratory Factor Analysis")
    k = o["n_factors"]
    why = "as requested"
    if k is None:
        if ctx.instrument is not None and ctx.instrument.subscales:
            k, why = len(ctx.instrument.subscales), "one per subscale of the instrument's key"
        else:
            pa = ctx.found.get("parallel")
            k, why = max(1, int(pa.n_factors) if pa is not None else 1), "as parallel analysis suggested"
    ctx.method(f"An exploratory factor analysis extracted {k} factor(s) ({why}) by {o['method']} with "
               f"{o['rotation']} rotation (psych::fa); loadings below {_apa(o['cut'])} are not shown.")
    try:
        efa = ctx.run("EFA", EFA(k, method=o["method"], rotation=o["rotation"]).fit, ctx.X)
    except AllianceError as exc:
        sec.paragraph(f"The factor analysis with {k} factor(s) could not be fitted: {exc}")
        return
    ctx.found["efa"] = efa
    full = efa.summary(cut=0.0)
    ctx.tables["loadings"] = full
    shown = efa.summary(cut=o["cut"]).reset_index().rename(columns={"index": "item"})
    shown = shown.rename(columns={shown.columns[0]: "item"})
    factors = list(efa.loadings_.columns)
    if any(ctx.labels.get(i) for i in shown["item"]):
        shown.insert(1, "label", [ctx.labels.get(i, "") for i in shown["item"]])
    blank = lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt_bounded(v)  # noqa: E731
    formats = {f: blank for f in factors}
    formats.update({"h2": "bounded", "u2": "bounded", "com": "number"})
    var = efa.variance_
    f = efa.fit_
    fit_text = (f"The solution's root mean square of residuals was {_apa(f['rms'])}, TLI = {fmt_number(f['tli'])}, "
                f"RMSEA = {_apa(f['rmsea'], 3)}, {100 * efa._fitted_params['ci']:g}% CI "
                f"{_ci(f['rmsea_low'], f['rmsea_high'], 3)}, BIC = {fmt_number(f['bic'])}; χ²({fmt_int(f['dof'])}) = "
                f"{fmt_number(f['chi2'])}, p {_p_text(f['p_value'])}.")
    share = "; ".join(f"{c}: {_pct1(var.loc['proportion_var', c])}" for c in factors)
    sec.paragraph(f"{k} factor(s) explained {_pct1(var.loc['cumulative_var', factors[-1]])} of the item "
                  f"variance ({share}). " + fit_text)
    sec.table(shown, title=f"Pattern Loadings of the {k}-Factor Solution ({o['method']}, {o['rotation']})",
              formats=formats, labels={"item": "Item", "label": "Label", "h2": "h²", "u2": "u²", "com": "Com"},
              note=f"Loadings with absolute value below {_apa(o['cut'])} are omitted. h² = communality; "
                   "u² = uniqueness; Com = Hoffman's complexity. Items ordered by their largest loading.")
    if efa.phi_ is not None and k > 1:
        phi = efa.phi_.reset_index().rename(columns={"index": "factor"})
        phi = phi.rename(columns={phi.columns[0]: "factor"})
        sec.table(phi, title="Factor Correlations", labels={"factor": ""},
                  formats={c: "bounded" for c in factors})


def _pct1(x) -> str:
    return DASH if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * float(x):.1f}%"


#: The result sections, in order (see the module docstring).
SECTIONS: list = [item_section, reliability_section, dimensionality_section, efa_section, cfa_section,
                  invariance_section]


# ----------------------------------------------------------------------------------------- the report
def _items_of(data, instrument, keys, form):
    """Keyed item scores, scales and labels, through the one route the reliability statistics use."""
    from ..reliability_stats._data import prepare

    sd = prepare(data, instrument, keys=keys, form=form, caller=CALLER)
    return sd.frame, dict(sd.scales), dict(sd.labels)


def validation_report(data, instrument=None, *, keys=None, form=None, n_factors=None, method="minres",
                      rotation="oblimin", cut=0.3, ci=0.95, n_boot=1000, n_iter=20, seed=0, cfa=None, group=None,
                      missing="auto", title=None, path=None, overwrite=False) -> ValidationReport:
    """A validation report of a scale: method and results sections with APA-style tables, as one HTML page.

    Parameters
    ----------
    data : DataFrame
        Item responses, one row per respondent (for session data, one administration per person, e.g.
        ``data[data["session"] == 3]``).
    instrument : str or Instrument, optional
        The instrument (``"wai-sr"``, a definition file, an ``Instrument``): items, subscales, reversed items
        and labels come from its key.
    keys : mapping, optional
        Without an instrument: psych-style keys ``{subscale: ["item", "-reversed_item", ...]}``.
    form : str, optional
        The instrument's form (client, therapist, ...).
    n_factors : int, optional
        Factors of the EFA; default one per subscale of the instrument's key, else parallel analysis's.
    method, rotation : str
        EFA extraction and rotation (:class:`toolkit.EFA`; psych's defaults ``"minres"``, ``"oblimin"``).
    cut : float
        Loadings below this (absolute value) are left out of the loadings table (display only).
    ci : float
        Confidence level of the alpha intervals.
    n_boot : int
        Bootstrap resamples of the BCa intervals of alpha (0: Feldt intervals only).
    n_iter : int
        Simulated and resampled data sets of the parallel analysis (psych's default 20).
    seed : int
        Seed of the bootstrap, the random split halves and the parallel analysis (stated in the report).
    cfa : bool or sequence of str, optional
        The confirmatory factor analyses of the instrument's model family (:func:`toolkit.validity.cfa_family`:
        one factor, correlated subscales, second-order, bifactor and the alternatives the definition
        declares). Default: run them whenever there are subscales (an instrument with subscales, or keys);
        ``False`` skips them; a list of member names (e.g. ``["one_factor", "correlated"]``) fits only those.
    group : str, optional
        A column of ``data``: measurement invariance across its groups (:func:`toolkit.validity.invariance`,
        configural, metric, scalar, strict) of the reference model. Rows without a group are left out of this
        analysis only, and named in a note (and an :class:`~toolkit.exceptions.IncompleteRowsWarning`).
    missing : {"auto", "fiml", "listwise"}
        Missing answers in the CFA and invariance models: ``"auto"`` (default) uses full-information maximum
        likelihood when an item answer is missing and plain ML (lavaan's default) when none is; ``"listwise"``
        leaves out rows with a missing item (lavaan's default), naming them in a note.
    title : str, optional
        The report's title.
    path : str or Path, optional
        Also write the report there (``.html``; ``.pdf`` when Chromium is installed).
    overwrite : bool
        Replace an existing file at ``path`` (default: refuse).

    Returns
    -------
    ValidationReport
        ``.html`` (the page), ``.save(path)``, and the tables shown (unrounded): ``table`` (reliability),
        ``items``, ``dimensionality``, ``loadings``, ``cfa``, ``cfa_comparisons``, ``cfa_loadings``,
        ``invariance``; ``results`` holds the analyses' own results.

    Notes
    -----
    The report computes nothing itself: it calls :func:`toolkit.item_analysis`, :func:`toolkit.reliability`,
    :func:`toolkit.kmo`, :func:`toolkit.bartlett_sphericity`, :func:`toolkit.parallel_analysis`,
    :func:`toolkit.velicer_map`, :class:`toolkit.EFA`, :func:`toolkit.validity.cfa_family` and
    :func:`toolkit.validity.invariance`, each checked against R in its own tests, and every warning they
    raise is a note of the report (and is raised again). Numbers are rounded for display only (APA style: two
    decimals, no leading zero for statistics bounded by 1; fit indices three).

    The CFA models are identified by unit factor variances (lavaan's ``std.lv = TRUE``). A member that
    cannot be fitted (not identified, too few rows) is named in a note and left out; one that does not
    converge or is not admissible (a negative variance, factor correlations outside [-1, 1]) is shown,
    marked, and named in a note. The fit of each model is judged against the conventional criteria
    CFI >= .95, RMSEA <= .06, SRMR <= .08 (Hu & Bentler, 1999), nested models by chi-square differences;
    an invariance step is read as holding when CFI drops by at most .01 (Cheung & Rensvold, 2002) and RMSEA
    rises by at most .015 (Chen, 2007).

    R equivalent: none as one call (the R functions are named in the report's method section); the
    confirmatory part is ``lavaan::cfa(model, data, std.lv = TRUE)`` per member with
    ``lavaan::lavTestLRT()``, and the invariance part ``semTools::measEq.syntax(model, data, group = group,
    group.equal = ...)`` fitted per step and compared with ``semTools::compareFit()``.

    References
    ----------
    American Psychological Association (2020). Publication manual of the American Psychological Association
    (7th ed.). https://doi.org/10.1037/0000165-000

    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis.
    Structural Equation Modeling, 6, 1-55.

    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement
    invariance. Structural Equation Modeling, 9, 233-255.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.reports import validation_report
    >>> sessions = toolkit.load_sample("wai_sr_sessions")
    >>> rep = validation_report(sessions[sessions["session"] == 3], "wai-sr", n_boot=0, n_iter=5)
    >>> rep.sections
    ('Method', 'Results')
    >>> round(float(rep.table.loc["total", "alpha"]), 2), "<script" in rep.html
    (0.92, False)
    >>> list(rep.cfa.index)
    ['one_factor', 'correlated', 'second_order', 'bifactor', 'bond_vs_goal_task']
    >>> rep.save("validation.html")  # doctest: +SKIP
    """
    import pandas as pd

    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(f"The 'data' parameter of {CALLER}() must be a pandas DataFrame of item "
                                    f"responses, one row per respondent; got a {type(data).__name__}.")
    instrument, keys = instrument_or_keys(instrument, keys, caller=CALLER)
    if instrument is None and keys is None:
        raise InvalidParameterError(f"{CALLER}() needs the instrument (e.g. {CALLER}(data, 'wai-sr')) or "
                                    "keys={'scale': ['item1', '-item2', ...]} for your own columns.")
    if n_factors is not None:
        n_factors = check_count(n_factors, param="n_factors", caller=CALLER, minimum=1)
    options = {"n_factors": n_factors, "method": method, "rotation": rotation,
               "cut": check_number(cut, param="cut", caller=CALLER, low=0, high=1),
               "ci": check_ci(ci, caller=CALLER),
               "n_boot": check_count(n_boot, param="n_boot", caller=CALLER),
               "n_iter": check_count(n_iter, param="n_iter", caller=CALLER, minimum=1),
               "seed": check_seed(seed, caller=CALLER),
               "cfa": _check_cfa(cfa, instrument, keys),
               "group": _check_group(group, data),
               "missing": check_choice(missing, ("auto", "fiml", "listwise"), param="missing", caller=CALLER)}
    ins = None
    if instrument is not None:
        from ..instrument import load_instrument

        ins = load_instrument(instrument)
    X, scales, labels = _items_of(data, ins, keys, form)

    name = ins.name if ins is not None else "the scale"
    doc = Document(title=str(title) if title is not None else f"Validation of {name}",
                   subtitle="Method and results")
    n_rows, n_items = X.shape
    missing = int(X.isna().to_numpy().sum())
    complete = int(X.notna().all(axis=1).sum())
    doc.facts = [("Respondents", f"{n_rows}"), ("Items", f"{n_items}"),
                 ("Instrument", f"{ins.id} ({form or ins.form().id} form)" if ins is not None else "keys given")]
    method_sec = doc.section("Method")
    part = method_sec.subsection("Participants and Data")
    part.paragraph(f"The analyses used {n_rows} rows of responses; {complete} ({_share(complete, n_rows)}) answered "
                   f"every item, and {missing} of {n_rows * n_items} item answers ({_share(missing, n_rows * n_items)})"
                   " were missing.")
    meas = method_sec.subsection("Measure")
    meas.paragraph(_measure_text(ins, scales, form))
    analysis = method_sec.subsection("Analysis")
    results_sec = doc.section("Results")
    ctx = Context(data=data, instrument=ins, keys=keys, form=form, X=X, scales=scales, labels=labels,
                  options=options, doc=doc, results=results_sec)
    check_members(ctx)
    for build in SECTIONS:
        build(ctx)
    for sentence in ctx.method_sentences:
        analysis.paragraph(sentence)
    analysis.paragraph("All analyses were run with alliance-toolkit, whose statistics are checked against the R "
                       "functions named; numbers are rounded for display only.")
    for res in ctx.found.values():
        for n in getattr(res, "notes", []) or []:
            doc.note(n)
    html = render(doc)
    report = ValidationReport(
        title=doc.title, notes=list(doc.notes), html=html, table=ctx.tables.get("reliability", pd.DataFrame()),
        items=ctx.tables.get("items", pd.DataFrame()), dimensionality=ctx.tables.get("dimensionality", pd.DataFrame()),
        loadings=ctx.tables.get("loadings", pd.DataFrame()), cfa=ctx.tables.get("cfa", pd.DataFrame()),
        cfa_comparisons=ctx.tables.get("cfa_comparisons", pd.DataFrame()),
        cfa_omega=ctx.tables.get("cfa_omega", pd.DataFrame()),
        cfa_loadings=ctx.tables.get("cfa_loadings", pd.DataFrame()),
        invariance=ctx.tables.get("invariance", pd.DataFrame()), results=dict(ctx.found),
        sections=tuple(s.title for s in doc.sections))
    if path is not None:
        report.save(path, overwrite=overwrite)
    return report


def _check_cfa(cfa, instrument, keys):
    """True, False, or a list of member names; None: True when there are subscales."""
    if cfa is None:
        if keys is not None:
            return True
        from ..instrument import load_instrument

        return bool(load_instrument(instrument).subscales)
    if isinstance(cfa, (bool, np.bool_)):
        return bool(cfa)
    if isinstance(cfa, str) or not all(isinstance(m, str) for m in cfa):
        raise InvalidParameterError(f"The 'cfa' parameter of {CALLER}() must be True, False or a list of model "
                                    f"names such as ['one_factor', 'correlated']; got {cfa!r}.")
    return list(cfa)


def _check_group(group, data):
    if group is None:
        return None
    if group not in data.columns:
        raise InvalidParameterError(f"The 'group' parameter of {CALLER}() names {group!r}, which is not a column "
                                    f"of the data; columns are {[str(c) for c in data.columns][:30]}.")
    return group


def _share(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}%" if n else DASH


def _measure_text(ins, scales: dict, form) -> str:
    if ins is None:
        parts = [f"{s} ({len(cols)} items)" for s, cols in scales.items() if s != "total"]
        return ("The items were analysed as the keys given: " + "; ".join(parts) + ".") if parts else \
            "The items were analysed as one scale."
    scale = ins.scale_for(form)
    subs = "; ".join(f"{s.name} ({len(ins.keys[s.id])} items)" for s in ins.subscales)
    rev = ins.reversed_items
    text = (f"The {ins.name}" + (f" ({ins.short_name}, version {ins.version})" if ins.short_name else "") +
            f" has {ins.n_items} items" + (f" in {len(ins.subscales)} subscales: {subs}" if subs else "") + ". ")
    if scale is not None:
        text += f"Answers are on a scale of {scale.describe()}. "
    text += (f"Items {', '.join(map(str, rev))} are reverse-keyed and were reversed before analysis. " if rev else
             "No item is reverse-keyed. ")
    text += f"Key confidence: {ins.confidence_for(form).level}. Source: {ins.citations[0].text}"
    return text
