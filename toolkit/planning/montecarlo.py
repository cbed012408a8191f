"""Monte Carlo planning: how many respondents (or dyads) a study needs, by simulation (R's simsem).

:func:`plan` draws ``n_reps`` data sets of each sample size from a :class:`Population`, runs every analysis of
interest on each, and sums up power and precision per sample size. Replications are independent: with a Dask
``distributed.Client`` they run in parallel on its workers (in batches), otherwise one after another here.

Every replication has its own random stream, ``SeedSequence(seed).spawn`` keyed by its sample size and number
(the spawn key ``(n, rep)``), so each is reproducible alone: the same seed gives the same numbers on one worker or
twenty, in any batch order, and replication 7 at n = 200 is the same whether 100 or 1,000 replications are run
and whatever other sample sizes are planned. The analyses of one replication share its data set (common random
numbers: their curves differ by the analysis, not by the draw).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_ci, check_count, check_number, collected_warnings, warn
from .._results import Result
from ..exceptions import InvalidParameterError, PlanningWarning
from .analyses import ANALYSES, prepare_state
from .population import Population

__all__ = ["plan", "Plan", "replication_seed"]

#: spawn key of the large reference draw that gives each analysis' population value (sample sizes are >= 2)
_REFERENCE_KEY = 0
_CURVES = ("power", "assurance", "width", "coverage", "sd", "bias")


def replication_seed(seed: int, n: int, rep: int) -> np.random.SeedSequence:
    """The seed of replication ``rep`` at sample size ``n``: child ``(n, rep)`` of ``SeedSequence(seed)``.

    Equal to ``SeedSequence(seed).spawn(n + 1)[n].spawn(rep + 1)[rep]``: a child's stream depends on its key
    only, never on how many siblings were spawned or where it runs.

    Parameters
    ----------
    seed : int
        The plan's seed (its entropy).
    n : int
        Sample size.
    rep : int
        Replication number (0-based).

    Returns
    -------
    numpy.random.SeedSequence

    Examples
    --------
    >>> import numpy as np
    >>> a = np.random.default_rng(replication_seed(1, 100, 3)).random()
    >>> b = np.random.default_rng(np.random.SeedSequence(1).spawn(101)[100].spawn(4)[3]).random()
    >>> a == b
    True
    """
    return np.random.SeedSequence(seed, spawn_key=(n, rep))


def _run_batch(population: Population, names: list, jobs: list, entropy: int, ci: float, state: dict,
               options: dict) -> list:
    """Every analysis on the replications ``jobs`` (``(n, rep)`` pairs): one row per analysis and replication.

    The analyses of one replication share its data and ``state["replication"]`` (a fresh dict: fits one
    analysis may hand to the next)."""
    from .._numerics import single_thread_blas

    raters = max(ANALYSES[a].raters for a in names)
    rows = []
    with single_thread_blas():
        for n, rep in jobs:
            rng = np.random.default_rng(replication_seed(entropy, n, rep))
            data = population.draw(n, rng, raters=raters)
            first = data if raters == 1 else data[data["rater"] == "client"]
            shared = {**state, "replication": {}}
            for name in names:
                a = ANALYSES[name]
                with collected_warnings() as got:
                    try:
                        out = a.run(data if a.raters == 2 else first, population, ci, shared, options[name])
                        error = ""
                    except (ArithmeticError, ValueError, np.linalg.LinAlgError) as exc:
                        out = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "converged": False}
                        error = f"{type(exc).__name__}: {exc}"
                rows.append({"analysis": name, "n": n, "rep": rep, "estimate": out["estimate"],
                             "ci_low": out["ci_low"], "ci_high": out["ci_high"], "p": out.get("p", np.nan),
                             "converged": bool(out["converged"]), "choice": str(out.get("choice", "")),
                             "warnings": len(got), "error": error})
    return rows


@dataclass(kw_only=True, repr=False, eq=False)
class Plan(Result):
    """Power and precision by sample size (see :func:`plan`).

    Attributes
    ----------
    table : DataFrame
        One row per analysis and sample size: ``analysis``, ``n``, ``replications``, ``failed`` (no estimate, or
        the fit did not converge: left out of the curves), ``estimate`` (mean), ``sd`` (SD of the estimates: the
        empirical standard error), ``population`` (the value in the population), ``bias``, ``width`` (mean width
        of the interval), ``width_median``, ``coverage`` (share of intervals containing the population value),
        ``assurance`` (share no wider than ``target_width``; NaN without one) and ``power`` (share whose lower
        limit exceeds ``null``, NaN without one; for a test, the share whose p value is below ``alpha``). Each
        share comes with its Monte Carlo standard error (``*_mcse``). A test (``cfa_family``, ``invariance_*``)
        has no interval and no population value: its ``estimate`` is the mean chi-square difference.
    replications : DataFrame
        One row per analysis and replication: ``n``, ``rep``, ``estimate``, ``ci_low``, ``ci_high``, ``width``,
        ``p``, ``converged``, ``choice`` (the model an analysis chose, ``""`` for none), ``warnings`` (toolkit
        warnings the analysis raised), ``error``.
    choices : DataFrame
        For analyses that choose (``cfa_family``): ``analysis``, ``n``, ``choice``, ``share`` (of the converged
        replications), ``share_mcse``; every member at every n (zeros included), then ``"none"`` when a
        replication met no criterion.
    population_table : DataFrame
        The population's items: ``item``, ``column``, ``factor``, ``loading``, ``reversed``, ``rater_loading``,
        ``rater_intercept``.
    analyses : DataFrame
        ``analysis``, ``estimates``, ``test``, ``population`` (value), ``target_width``, ``null``, ``options``.
    seed : int
        The seed (entropy) every replication's stream derives from: ``plan(..., seed=seed)`` repeats the run.
    ci : float
        Confidence level of the intervals.
    alpha : float
        Level of the tests.
    n_reps : int
        Replications per sample size.
    workers : int
        Dask workers used (0: run here, without Dask).

    title : str
        What was planned.
    notes : list of str
        How the population and the analyses were set up, failures and warnings of the replications.

    Examples
    --------
    >>> from toolkit.planning import plan, Population
    >>> res = plan(Population("wai-sr", loadings=0.7), n=[60, 120], n_reps=4, seed=1, target_width=0.1,
    ...            reference_n=2000)
    >>> res.table[["analysis", "n", "replications"]].values.tolist()
    [['omega', 60, 4], ['omega', 120, 4]]
    """

    table: pd.DataFrame
    replications: pd.DataFrame = field(default_factory=pd.DataFrame)
    population_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    analyses: pd.DataFrame = field(default_factory=pd.DataFrame)
    choices: pd.DataFrame = field(default_factory=pd.DataFrame)
    seed: int = 0
    ci: float = 0.95
    alpha: float = 0.05
    n_reps: int = 0
    workers: int = 0

    def _display_tables(self) -> dict:
        out = {"table": self.table, "analyses": self.analyses}
        if len(self.choices):
            out["choices"] = self.choices
        return out

    def plot(self, y: str = "power", *, ax=None):
        """A curve per analysis: ``y`` against the sample size.

        Parameters
        ----------
        y : {"power", "assurance", "width", "coverage", "sd", "bias", "choice"}
            What to plot; shares are drawn with +/- 2 Monte Carlo standard errors. ``"choice"`` draws
            :attr:`choices`: for each analysis that chooses between models (``cfa_family``), a curve per
            model of the share of replications choosing it.
        ax : matplotlib Axes, optional
            Where to draw (default a new figure).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from toolkit.planning import plan, Population
        >>> res = plan(Population("wai-sr"), n=[60, 120], n_reps=3, seed=1, target_width=0.1, reference_n=2000)
        >>> res.plot("assurance").get_ylabel()
        'assurance'
        """
        if y not in (*_CURVES, "choice"):
            raise InvalidParameterError(f"The 'y' parameter of Plan.plot() must be one of "
                                        f"{', '.join(map(repr, (*_CURVES, 'choice')))}; got {y!r}.")
        if y == "choice" and not len(self.choices):
            raise InvalidParameterError("Plan.plot('choice'): no analysis of this plan chooses between models; "
                                        "plan 'cfa_family' to see how often each model is chosen.")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        if y == "choice":
            value = "share"
            groups = [(f"{a}: {c}", rows) for (a, c), rows in self.choices.groupby(["analysis", "choice"], sort=False)]
        else:
            value = y
            groups = list(self.table.groupby("analysis", sort=False))
        for name, rows in groups:
            line = ax.plot(rows["n"], rows[value], marker="o", label=str(name))[0]
            if f"{value}_mcse" in rows:
                v, se = rows[value], rows[f"{value}_mcse"]
                ax.fill_between(rows["n"], v - 2 * se, v + 2 * se, color=line.get_color(), alpha=0.15)
        ax.set_xlabel("sample size (n)")
        ax.set_ylabel("share choosing the model" if y == "choice" else y)
        if y in ("power", "assurance", "coverage", "choice"):
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(self.title)
        ax.legend()
        return ax


def _per_analysis(value, names, param):
    """One value per analysis; tests have no interval, so a single value applies to the others only."""
    if value is None:
        return dict.fromkeys(names)
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise InvalidParameterError(f"The {param!r} parameter of plan() names {unknown}, which are not among the "
                                        f"analyses {names}.")
        tests = [a for a in value if ANALYSES[a].test and value[a] is not None]
        if tests:
            raise InvalidParameterError(f"The {param!r} parameter of plan() gives a value for {tests}, which are tests "
                                        "without an interval; their power is the share of p values below 'alpha'.")
        return {a: (None if value.get(a) is None else check_number(value[a], param=param, caller="plan"))
                for a in names}
    v = check_number(value, param=param, caller="plan")
    return {a: (None if ANALYSES[a].test else v) for a in names}


def _options(options, names, population) -> dict:
    """Each analysis' options: its defaults, updated with the plan's, checked by the analysis."""
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise InvalidParameterError(f"The 'options' parameter of plan() must be a mapping {{analysis: {{option: "
                                    f"value}}}}; got a {type(options).__name__}.")
    unknown = sorted(set(options) - set(names))
    if unknown:
        raise InvalidParameterError(f"The 'options' parameter of plan() names {unknown}, which are not among the "
                                    f"analyses {names}.")
    out = {}
    for a in names:
        given = options.get(a) or {}
        if not isinstance(given, Mapping):
            raise InvalidParameterError(f"The 'options' parameter of plan() must map {a!r} to a mapping of options; "
                                        f"got a {type(given).__name__}.")
        spec = ANALYSES[a]
        bad = sorted(set(given) - set(spec.options))
        if bad:
            allowed = ", ".join(map(repr, spec.options)) or "none"
            raise InvalidParameterError(f"The 'options' parameter of plan() gives {a!r} the options {bad}; its "
                                        f"options are {allowed}.")
        merged = {**spec.options, **given}
        out[a] = spec.check(merged, population) if spec.check is not None else merged
    return out


def _shown(options: dict) -> str:
    """The options as the plan's table shows them (the model syntax a check adds is left out)."""
    return ", ".join(f"{k}={v!r}" for k, v in options.items() if k != "models")


def plan(population: Population, n, *, analyses=("omega",), n_reps: int = 200, seed: int | None = None,
         ci: float = 0.95, target_width=None, null=None, alpha: float = 0.05, options=None, client=None,
         batch_size: int | None = None, reference_n: int = 100_000) -> Plan:
    """Power and precision of analyses by sample size, by Monte Carlo simulation from a population model.

    Parameters
    ----------
    population : Population
        The population (an instrument plus its factor model).
    n : int or sequence of int
        Sample sizes (respondents; dyads for two-rater analyses), each at least 10.
    analyses : sequence of str
        Registered analyses (:data:`toolkit.planning.analyses.ANALYSES`): ``"omega"``, ``"icc_agreement"``,
        ``"cfa_family"``, ``"invariance_metric"``, ``"invariance_scalar"``.
    n_reps : int, default 200
        Replications per sample size.
    seed : int, optional
        Seed of every replication's stream (see the module docstring); default fresh entropy, reported in
        the result's ``seed`` so that the run can be repeated.
    ci : float
        Confidence level of the intervals.
    target_width : float or mapping, optional
        The widest interval that is precise enough (per analysis in a mapping): ``assurance`` is the share of
        replications whose interval is no wider.
    null : float or mapping, optional
        The value to exceed (per analysis in a mapping): ``power`` is the share of replications whose interval's
        lower limit exceeds it (a one-sided test at level (1 - ci) / 2). Tests take ``alpha`` instead.
    alpha : float, default 0.05
        Level of the tests (``cfa_family``, ``invariance_*``): their ``power`` is the share of replications whose
        p value is below it.
    options : mapping, optional
        Options per analysis, e.g. ``{"cfa_family": {"members": ["one_factor", "correlated"], "criterion":
        "bic"}}`` (see :mod:`toolkit.planning.model_tests`); unknown names are refused with the list of allowed
        ones.
    client : distributed.Client, optional
        Run the replications on this Dask cluster; default here, one after another.
    batch_size : int, optional
        Replications per Dask task (default: about four tasks per worker thread and sample size).
    reference_n : int, default 100,000
        Size of the one large draw whose estimate is the population value of each analysis (coverage and bias
        are measured against it: on ordinal answers the factor model's own omega is not the observed one).

    Returns
    -------
    Plan
        ``table`` (curves by sample size), ``replications``, ``plot()``.

    Notes
    -----
    For replication r of sample size n: data ~ population (seed (n, r)); the analysis gives an estimate and an
    interval [L, U]. Per n over converged replications: power = mean(L > null), assurance = mean(U - L <=
    target_width), coverage = mean(L <= theta <= U) with theta the population value; each share p has Monte
    Carlo standard error sqrt(p (1 - p) / R). A test gives a statistic and its p value: power = mean(p <
    alpha); where the restricted model holds in the population this is its type I error rate, which should be
    near alpha (within about 2 sqrt(alpha (1 - alpha) / R)).

    R equivalent: ``simsem::sim(nRep, model, n = ..., generate = popModel)`` then ``getPower()``.

    References
    ----------
    Muthén, L. K., & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size and
    determine power. Structural Equation Modeling, 9(4), 599-620.

    Examples
    --------
    >>> from toolkit.planning import plan, Population
    >>> pop = Population("wai-sr", loadings=0.7, factor_corr=0.6, rater_corr=0.5)
    >>> res = plan(pop, n=[50, 100], analyses=["omega", "icc_agreement"], n_reps=5, seed=7, null=0.2,
    ...            reference_n=5000)
    >>> res.table[["analysis", "n", "replications", "failed"]].values.tolist()
    [['omega', 50, 5, 0], ['omega', 100, 5, 0], ['icc_agreement', 50, 5, 0], ['icc_agreement', 100, 5, 0]]
    >>> res.seed
    7

    The power of the one-factor vs correlated-factors test, and how often BIC picks each model:

    >>> res = plan(Population("wai-sr", factor_corr=0.5), n=[60], analyses=["cfa_family"], n_reps=4, seed=3,
    ...            reference_n=1000)
    >>> res.table[["analysis", "n", "power"]].values.tolist()
    [['cfa_family', 60, 1.0]]
    >>> res.choices[["choice", "share"]].values.tolist()
    [['one_factor', 0.0], ['correlated', 1.0]]
    """
    caller = "plan"
    if not isinstance(population, Population):
        raise InvalidParameterError(f"The 'population' parameter of {caller}() must be a toolkit.planning.Population "
                                    f"(an instrument and its factor model); got a {type(population).__name__}.")
    sizes = [n] if np.ndim(n) == 0 else list(n)
    sizes = [check_count(s, param="n", caller=caller, minimum=10, what="sample sizes") for s in sizes]
    if not sizes or len(set(sizes)) != len(sizes):
        raise InvalidParameterError(f"The 'n' parameter of {caller}() must list distinct sample sizes; got {n!r}.")
    names = [analyses] if isinstance(analyses, str) else list(analyses)
    unknown = [a for a in names if a not in ANALYSES]
    if unknown or not names:
        raise InvalidParameterError(f"The 'analyses' parameter of {caller}() must name registered analyses "
                                    f"({', '.join(map(repr, ANALYSES))}); got {analyses!r}.")
    n_reps = check_count(n_reps, param="n_reps", caller=caller, minimum=1)
    ci = check_ci(ci, caller=caller)
    alpha = check_number(alpha, param="alpha", caller=caller, low=0, high=1, low_open=True, high_open=True)
    settings = _options(options, names, population)
    reference_n = check_count(reference_n, param="reference_n", caller=caller, minimum=100)
    widths = _per_analysis(target_width, names, "target_width")
    nulls = _per_analysis(null, names, "null")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    else:
        seed = check_count(seed, param="seed", caller=caller, minimum=0)

    # the population value of each analysis, from one large draw with its own stream
    raters = max(ANALYSES[a].raters for a in names)
    reference = population.draw(reference_n, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(
        _REFERENCE_KEY,))), raters=raters)
    state = prepare_state(names, population, reference if raters == 1 else reference[reference["rater"] == "client"])
    truth = {}
    for a in names:
        if ANALYSES[a].test:   # a test's statistic grows with n: no population value to compare with
            truth[a] = float("nan")
            continue
        data = reference if ANALYSES[a].raters == 2 else (
            reference if raters == 1 else reference[reference["rater"] == "client"])
        with collected_warnings():
            truth[a] = float(ANALYSES[a].run(data, population, ci, state, settings[a])["estimate"])

    jobs = [(s, r) for s in sizes for r in range(n_reps)]
    if client is None:
        rows = _run_batch(population, names, jobs, seed, ci, state, settings)
        workers = 0
    else:
        info = client.scheduler_info(n_workers=-1) if _takes_n_workers(client) else client.scheduler_info()
        workers = len(info["workers"])
        threads = sum(w.get("nthreads", 1) for w in info["workers"].values()) or 1
        if batch_size is None:
            batch_size = max(1, -(-len(jobs) // (4 * threads)))
        batch_size = check_count(batch_size, param="batch_size", caller=caller, minimum=1)
        batches = [jobs[i:i + batch_size] for i in range(0, len(jobs), batch_size)]
        pop = client.scatter(population, broadcast=True)
        futures = client.map(_run_batch, [pop] * len(batches), [names] * len(batches), batches,
                             [seed] * len(batches), [ci] * len(batches), [state] * len(batches),
                             [settings] * len(batches), pure=False)
        rows = [row for part in client.gather(futures) for row in part]
    reps = pd.DataFrame(rows)
    reps["width"] = reps["ci_high"] - reps["ci_low"]
    reps = reps[["analysis", "n", "rep", "estimate", "ci_low", "ci_high", "width", "p", "converged", "choice",
                 "warnings", "error"]]
    table = _curves(reps, names, sizes, truth, widths, nulls, alpha)
    info = pd.DataFrame({"analysis": names, "estimates": [ANALYSES[a].estimates for a in names],
                         "test": [ANALYSES[a].test for a in names], "population": [truth[a] for a in names],
                         "target_width": [widths[a] for a in names], "null": [nulls[a] for a in names],
                         "options": [_shown(settings[a]) for a in names]})
    notes = [f"{n_reps} replications at each of n = {', '.join(map(str, sizes))}; seed {seed} (replication r at "
             f"size n draws from SeedSequence({seed}, spawn_key=(n, r)))"
             + (f"; on {workers} Dask workers" if client is not None else "; run here, without Dask") + ".",
             f"Population: {population!r}, factor correlations "
             f"{np.round(population.phi[np.triu_indices(len(population.factors), 1)], 3).tolist()}"
             + (f", raters correlate {population.rater_corr:g}, shift {population.rater_shift:g}" if raters == 2
                else "")
             + (f", second rater's loadings {np.round(population.rater_loadings, 3).tolist()} and intercept shifts "
                f"{np.round(population.rater_intercepts, 3).tolist()}" if raters == 2 and (
                    not np.array_equal(population.rater_loadings, population.loadings)
                    or np.any(population.rater_intercepts)) else "")
             + f"; population values from one draw of {reference_n:,}."]
    tests = [a for a in names if ANALYSES[a].test]
    if tests:
        notes.append(f"Tests ({', '.join(tests)}): power is the share of replications with p < {alpha:g}; options "
                     + "; ".join(f"{a}: {_shown(settings[a])}" for a in tests) + ".")
    failed = reps[~reps["converged"] | reps["estimate"].isna()]
    if len(failed):
        msg = (f"{len(failed)} of {len(reps)} analysis runs failed or did not converge and are left out of the "
               f"curves ({failed.groupby('analysis').size().to_dict()}); see replications['error'].")
        notes.append(msg)
        warn(msg, PlanningWarning)
    if reps["warnings"].any():
        notes.append(f"{int((reps['warnings'] > 0).sum())} analysis runs raised toolkit warnings (Heywood cases, "
                     "...): counted in replications['warnings'].")
    title = f"Planning {population.instrument.id}: {', '.join(names)} at n = {', '.join(map(str, sizes))}"
    return Plan(title=title, notes=notes, table=table, replications=reps, population_table=population.table.copy(),
                analyses=info, choices=_choices(reps, sizes, settings), seed=seed, ci=ci, alpha=alpha, n_reps=n_reps,
                workers=workers)


def _takes_n_workers(client) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


def _share(mask: pd.Series) -> tuple[float, float]:
    k = len(mask)
    if not k:
        return float("nan"), float("nan")
    p = float(mask.mean())
    return p, float(np.sqrt(p * (1 - p) / k))


def _choices(reps, sizes, settings) -> pd.DataFrame:
    """Share of the converged replications choosing each label, per analysis and sample size: the members an
    analysis chooses from (zeros kept) in their order, then any other label seen (``"none"``)."""
    out = []
    chose = reps[reps["choice"] != ""]
    for a in dict.fromkeys(chose["analysis"]):
        members = list(settings[a].get("members", ()))
        labels = members + sorted(set(chose.loc[chose["analysis"] == a, "choice"]) - set(members))
        for s in sizes:
            ok = reps[(reps["analysis"] == a) & (reps["n"] == s) & reps["converged"] & reps["estimate"].notna()]
            for lab in labels:
                share, se = _share(ok["choice"] == lab)
                out.append({"analysis": a, "n": s, "choice": lab, "share": share, "share_mcse": se})
    return pd.DataFrame(out, columns=["analysis", "n", "choice", "share", "share_mcse"])


def _curves(reps, names, sizes, truth, widths, nulls, alpha) -> pd.DataFrame:
    out = []
    for a in names:
        for s in sizes:
            r = reps[(reps["analysis"] == a) & (reps["n"] == s)]
            ok = r[r["converged"] & r["estimate"].notna()]
            theta = truth[a]
            if ANALYSES[a].test:
                power, power_se = _share(ok["p"] < alpha)
                nan = float("nan")
                out.append({"analysis": a, "n": s, "replications": len(r), "failed": len(r) - len(ok),
                            "estimate": ok["estimate"].mean(), "sd": ok["estimate"].std(ddof=1), "population": nan,
                            "bias": nan, "width": nan, "width_median": nan, "coverage": nan, "coverage_mcse": nan,
                            "assurance": nan, "assurance_mcse": nan, "power": power, "power_mcse": power_se})
                continue
            cover, cover_se = _share((ok["ci_low"] <= theta) & (theta <= ok["ci_high"]))
            if widths[a] is not None:
                assure, assure_se = _share(ok["width"] <= widths[a])
            else:
                assure, assure_se = float("nan"), float("nan")
            if nulls[a] is not None:
                power, power_se = _share(ok["ci_low"] > nulls[a])
            else:
                power, power_se = float("nan"), float("nan")
            out.append({"analysis": a, "n": s, "replications": len(r), "failed": len(r) - len(ok),
                        "estimate": ok["estimate"].mean(), "sd": ok["estimate"].std(ddof=1), "population": theta,
                        "bias": ok["estimate"].mean() - theta, "width": ok["width"].mean(),
                        "width_median": ok["width"].median(), "coverage": cover, "coverage_mcse": cover_se,
                        "assurance": assure, "assurance_mcse": assure_se, "power": power, "power_mcse": power_se})
    return pd.DataFrame(out)
