"""The fitted confirmatory factor model, :class:`CFA`, and the one-call :func:`cfa`.

A lavaan model string in, lavaan's numbers out: estimates with standard errors, z, p and confidence
intervals, the standardized solutions, R-squared, residuals, every ``fitMeasures`` line that applies to the
estimator, and modification indices with expected parameter changes. The engine knows no instrument; the
model families of an instrument are built in :mod:`toolkit.validity`.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy import stats as sstats

from ..._checks import check_bool, check_choice, check_ci, numeric_frame, warn
from ..._estimator import Estimator
from ..._numerics import with_single_thread_blas
from ...exceptions import (CFAWarning, DataValidationError, FactorConvergenceWarning, HeywoodWarning,
                           IncompleteRowsWarning, InvalidParameterError, ModelSpecificationError,
                           NotPositiveDefiniteWarning)
from .constraints import DefinedParameters, reparameterise
from .fit_measures import TestStatistic, compute_fit_measures
from .inference import ndat, standard_errors, yuan_bentler_trace
from .matrices import LisrelModel
from .objective import Problem
from .optimizer import minimise, start_values
from .partable import GROUP_EQUAL, PARTABLE_COLUMNS, parameter_table, variable_sets
from .results import CFAResult
from .samplestats import group_stats
from .standardized import r_squared, standardize, std_all_jacobian
from .syntax import ParsedModel, parse_syntax

__all__ = ["CFA", "cfa", "ESTIMATORS"]

ESTIMATORS = ("ML", "MLR", "WLSMV")
_MISSING = ("listwise", "fiml", "ml")


class CFA(Estimator):
    """Confirmatory factor analysis and structural equation models from lavaan syntax (lavaan's defaults).

    Parameters
    ----------
    model : str or DataFrame
        lavaan model syntax (``=~``, ``~~``, ``~``, ``~ 1``, ``|``, ``:=``, ``==``, with fixed values,
        labels and starting values; see :mod:`toolkit.factor.cfa.syntax`), or a parameter table as
        :func:`~toolkit.factor.cfa.parameter_table` returns it (edited or not), which is fitted as it stands.
    estimator : {"ML", "MLR", "WLSMV"}
        Maximum likelihood (lavaan's default); ML with Huber-White standard errors and the Yuan-Bentler
        scaled test (lavaan's ``"MLR"``); diagonally weighted least squares on polychoric correlations with
        robust standard errors and the scaled-shifted test (lavaan's ``"WLSMV"``, for ordinal items).
    std_lv : bool
        Identify each factor by fixing its variance to 1 (otherwise its first loading is fixed to 1).
    missing : {"listwise", "fiml"}
        Drop incomplete rows (named in an :class:`~toolkit.exceptions.IncompleteRowsWarning`; lavaan's
        default) or use every observed value by full-information maximum likelihood.
    group_equal : sequence of str, optional
        Parameters held equal across groups: any of ``"loadings"``, ``"intercepts"``, ``"residuals"``,
        ``"means"``, ``"thresholds"``, ``"regressions"``, ``"residual.covariances"``, ``"lv.variances"``,
        ``"lv.covariances"`` (lavaan's ``group.equal``). With ordinal items (WLSMV), ``"intercepts"`` and
        ``"thresholds"`` mean the same (both are set, as lavaan 0.6-14 does), and equal thresholds free the later
        groups' scale factors (``~*~``, delta parameterization) and factor means. Where we differ from current
        lavaan: lavaan 0.6-20 (2025) changed this rule after Wu & Estabrook (2016); it frees the later groups'
        item intercepts instead of the factor means, and keeps the scale factors of binary items at 1. The
        numbers here are lavaan 0.6-14's (the reference tests' version).
    group_partial : sequence of str, optional
        Parameters exempt from ``group_equal``, written ``"visual=~x2"`` or ``"x3~1"``.
    meanstructure : bool, optional
        Model means and intercepts. Default as lavaan: when there are groups, missing values under FIML,
        thresholds or ``~ 1`` terms in the model.
    orthogonal : bool
        Fix the covariances among exogenous factors to 0.
    ordered : sequence of str, optional
        Ordinal indicators (thresholds are estimated; implies ``estimator="WLSMV"`` unless set).
    ci : float
        Confidence level of the intervals.
    fixed_x : bool
        Exogenous observed covariates keep their sample moments (lavaan's ``fixed.x = TRUE``).

    Attributes
    ----------
    partable_ : DataFrame
        The parameter table with ``start``, ``est`` and ``se``.
    estimates_ : DataFrame
        ``lhs, op, rhs, [group], label, est, se, z, p, ci_low, ci_high``, one row per parameter (and per
        defined parameter), as ``parameterEstimates()``; fixed parameters have se 0 and no z or p.
    standardized_ : DataFrame
        ``std_lv``, ``std_all`` and ``std_nox`` for every parameter, with the delta-method ``se``, ``z``,
        ``p`` and interval of ``std_all`` (``standardizedSolution()``).
    fit_measures_ : Series
        Every ``fitMeasures()`` line that applies to the estimator, named as lavaan names them.
    r2_ : DataFrame
        R-squared of each endogenous variable (rows) per group (columns).
    implied_, sample_ : dict
        Per group label: ``{"cov": DataFrame, "mean": Series}`` (model-implied; observed, with divisor N,
        or the EM estimates under FIML).
    vcov_ : DataFrame
        Covariance matrix of the free parameters.
    converged_ : bool
    n_obs_ : dict
        Rows used per group.
    groups_ : list
        Group labels (in order of appearance in the data), ``[None]`` without groups.
    test_ : dict
        ``chisq``, ``df``, ``pvalue`` and, for MLR/WLSMV, the scaled statistic and its scaling factor.

    Notes
    -----
    ML minimises F = sum_g (n_g/N) 1/2 [log|Sigma| + tr(S Sigma^-1) - log|S| - p + (ybar-mu)' Sigma^-1
    (ybar-mu)] with S divided by N; chi2 = 2 N F. Standard errors: inverse expected information (ML),
    inverse observed information (FIML), sandwich A^-1 B A^-1 / N with A the observed information and B the
    mean outer product of casewise scores (MLR), as lavaan's defaults. Variances are not bounded: a negative
    residual variance (Heywood case) is reported with a :class:`~toolkit.exceptions.HeywoodWarning`, never
    hidden, and a latent covariance matrix that is not positive definite with a
    :class:`~toolkit.exceptions.NotPositiveDefiniteWarning`.

    R equivalent: ``lavaan::cfa(model, data, estimator = "ML", std.lv = FALSE, missing = "listwise")``
    (``sem()`` for models with regressions: the defaults are the same).

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical
    Software, 48(2), 1-36.
    Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance structure
    analysis with nonnormal missing data. Sociological Methodology, 30, 165-200.
    Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of different levels
    of invariance for ordered categorical outcomes. Psychometrika, 81, 1014-1045.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 1))
    >>> X = f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(400, 4))
    >>> fit = CFA("g =~ a + b + c + d").fit(pd.DataFrame(X, columns=list("abcd")))
    >>> round(fit.fit_measures_["df"]), fit.converged_
    (2, True)
    >>> fit.estimates_.loc[1, ["lhs", "op", "rhs"]].tolist()
    ['g', '=~', 'b']
    """

    title = "Confirmatory factor analysis"
    _fitted_attr = "estimates_"

    def __init__(self, model, *, estimator: str = "ML", std_lv: bool = False, missing: str = "listwise",
                 group_equal=None, group_partial=None, meanstructure=None, orthogonal: bool = False, ordered=None,
                 ci: float = 0.95, fixed_x: bool = True):
        self.model = model
        self.estimator = estimator
        self.std_lv = std_lv
        self.missing = missing
        self.group_equal = group_equal
        self.group_partial = group_partial
        self.meanstructure = meanstructure
        self.orthogonal = orthogonal
        self.ordered = ordered
        self.ci = ci
        self.fixed_x = fixed_x

    # -- checks -------------------------------------------------------------------------------------
    def _options(self):
        caller = "CFA"
        estimator = check_choice(self.estimator, ESTIMATORS, param="estimator", caller=caller, case=False)
        missing = check_choice(self.missing, _MISSING, param="missing", caller=caller, case=False,
                               hint="'listwise' drops incomplete rows (lavaan's default); 'fiml' uses every "
                                    "observed value (full-information maximum likelihood).")
        missing = "fiml" if missing == "ml" else missing
        ci = check_ci(self.ci, caller=caller)
        std_lv = check_bool(self.std_lv, param="std_lv", caller=caller)
        orthogonal = check_bool(self.orthogonal, param="orthogonal", caller=caller)
        fixed_x = check_bool(self.fixed_x, param="fixed_x", caller=caller)
        if self.meanstructure is not None:
            check_bool(self.meanstructure, param="meanstructure", caller=caller)
        group_equal = _str_list(self.group_equal, "group_equal")
        bad = [g for g in group_equal if g not in GROUP_EQUAL]
        if bad:
            raise InvalidParameterError(f"The 'group_equal' parameter of CFA() holds {bad}; allowed: "
                                        f"{', '.join(GROUP_EQUAL)}.")
        group_partial = _str_list(self.group_partial, "group_partial")
        ordered = _str_list(self.ordered, "ordered")
        if missing == "fiml" and estimator == "WLSMV":
            raise InvalidParameterError("The 'missing' parameter of CFA() cannot be 'fiml' with estimator='WLSMV' "
                                        "(lavaan refuses it too); use missing='listwise'.")
        if missing == "fiml" and estimator == "MLR":
            raise InvalidParameterError("CFA(estimator='MLR', missing='fiml') is not implemented: use "
                                        "estimator='ML' with missing='fiml', or MLR on complete rows.")
        return dict(estimator=estimator, missing=missing, ci=ci, std_lv=std_lv, orthogonal=orthogonal,
                    fixed_x=fixed_x, group_equal=group_equal, group_partial=group_partial, ordered=ordered)

    # -- fit ----------------------------------------------------------------------------------------
    @with_single_thread_blas
    def fit(self, data: pd.DataFrame, group: str | None = None) -> "CFA":
        """Fit the model to ``data`` (one row per respondent); ``group`` names a column of groups."""
        opt = self._options()
        for key in [k for k in self.__dict__ if k.startswith(("_lazy_", "_standardized"))]:
            del self.__dict__[key]   # tables of a previous fit
        self._notes = []
        if isinstance(self.model, pd.DataFrame):
            user_table = self.model.copy()
            missing_cols = [c for c in ("lhs", "op", "rhs", "free", "ustart") if c not in user_table.columns]
            if missing_cols:
                raise InvalidParameterError(f"The 'model' parameter of CFA() is a DataFrame without the parameter "
                                            f"table columns {missing_cols}; pass lavaan syntax or a table from "
                                            "parameter_table().")
            parsed = ParsedModel()
            rows = list(zip(user_table["lhs"], user_table["op"], user_table["rhs"]))
        elif isinstance(self.model, str):
            user_table = None
            parsed = _parse(self.model)
            rows = [(s.lhs, s.op, s.rhs) for s in parsed.statements]
        else:
            raise InvalidParameterError(f"The 'model' parameter of CFA() must be lavaan syntax (a string) or a "
                                        f"parameter table (a DataFrame); got a {type(self.model).__name__}.")
        vs = variable_sets(rows, ordered=opt["ordered"], fixed_x=opt["fixed_x"])
        ordered = list(vs.ov_ord)
        if ordered and opt["estimator"] != "WLSMV":
            if self.estimator is None or str(self.estimator).upper() == "ML":
                opt["estimator"] = "WLSMV"
                self._notes.append("ordinal indicators given: estimator set to WLSMV (lavaan does the same)")
            else:
                raise InvalidParameterError(f"ordered indicators need estimator='WLSMV'; got "
                                            f"estimator={self.estimator!r}.")
        if opt["estimator"] == "WLSMV" and not ordered:
            raise InvalidParameterError("estimator='WLSMV' needs ordinal indicators: pass ordered=[item columns] "
                                        "(or ordered=True for every indicator).")
        if opt["estimator"] == "WLSMV":
            self._prepare_data(data, vs.ov, group, "none")
            labels = [None] if group is None else list(dict.fromkeys(data[group].tolist()))
            return self._fit_wlsmv(parsed, user_table, None, labels, None, opt, ordered, group, data)
        frames, labels, row_labels = self._prepare_data(data, vs.ov, group, opt["missing"])
        G = len(frames)
        meanstructure = self.meanstructure
        if meanstructure is None:
            meanstructure = G > 1 or opt["missing"] == "fiml" or any(op == "~1" for _, op, _ in rows) or \
                bool(ordered)
        if opt["missing"] == "fiml" and not meanstructure:
            raise InvalidParameterError("CFA(meanstructure=False) cannot be used with missing='fiml': FIML "
                                        "models the means.")
        fiml = opt["missing"] == "fiml"
        stats = [group_stats(X, lab, rl, fiml=fiml) for X, lab, rl in zip(frames, labels, row_labels)]
        if user_table is None:
            pt = _table(self.model, G, opt["std_lv"], bool(meanstructure), opt["orthogonal"], opt["fixed_x"],
                        tuple(opt["group_equal"]), tuple(opt["group_partial"])).copy()
        else:
            pt = _complete_table(user_table, G)
            meanstructure = bool((pt["op"] == "~1").any())
        self._fit_ml(pt, parsed, stats, labels, opt, meanstructure, fiml)
        return self

    def _prepare_data(self, data, ov_names, group, missing):
        if not isinstance(data, pd.DataFrame):
            raise InvalidParameterError(f"The 'data' parameter of CFA.fit() must be a pandas DataFrame with one row "
                                        f"per respondent; got a {type(data).__name__}.")
        absent = [v for v in ov_names if v not in data.columns]
        if absent:
            raise ModelSpecificationError(
                f"the model names {absent}, which are not columns of the data; the data's columns are "
                f"{[str(c) for c in data.columns][:20]}{' ...' if data.shape[1] > 20 else ''}. Rename the columns "
                "or the variables in the model.")
        if group is not None:
            if group not in data.columns:
                raise InvalidParameterError(f"The 'group' parameter of CFA.fit() names {group!r}, which is not a "
                                            f"column of the data.")
            gcol = data[group]
            if gcol.isna().any():
                bad = data.index[gcol.isna()]
                raise DataValidationError(
                    f"the group column {group!r} is empty in {len(bad)} row(s): {[str(b) for b in bad[:10]]}; give "
                    "every row a group or leave those rows out before fitting",
                    report=pd.DataFrame({"row": bad, "column": group, "value": None, "reason": "missing group"}))
            levels = list(dict.fromkeys(gcol.tolist()))
            if len(levels) < 2:
                raise DataValidationError(f"the group column {group!r} holds one group only ({levels[0]!r}); fit "
                                          "without group= or check the column")
        else:
            levels = [None]
        sub = data[ov_names]
        if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in sub.dtypes) and \
                np.isfinite(sub.to_numpy(dtype=float, na_value=np.nan)[~sub.isna().to_numpy()]).all():
            X = sub.astype(float)  # already numbers: nothing to name
        else:
            X = numeric_frame(sub, caller="CFA.fit")
        if missing == "none":   # checks only (the ordinal route handles missing answers itself)
            return None, None, None
        frames, labels, row_labels = [], [], []
        for lev in levels:
            sub = X if lev is None else X.loc[(data[group] == lev).to_numpy()]
            na = sub.isna()
            if missing == "listwise":
                drop = na.any(axis=1)
            else:
                drop = na.all(axis=1)
            if drop.any():
                dropped = sub.index[drop.to_numpy()]
                where = "" if lev is None else f" in group {lev!r}"
                what = "with a missing value" if missing == "listwise" else "with every variable missing"
                msg = (f"{len(dropped)} row(s){where} {what} were left out of the fit (lavaan does the same): "
                       f"{[str(r) for r in dropped[:10]]}{' ...' if len(dropped) > 10 else ''}"
                       + ("; use missing='fiml' to keep every observed value" if missing == "listwise" else ""))
                warn(msg, IncompleteRowsWarning)
                self._notes.append(msg)
                sub = sub.loc[~drop.to_numpy()]
            if len(sub) < 2:
                raise DataValidationError(f"{'the data' if lev is None else f'group {lev!r}'} has {len(sub)} usable "
                                          "row(s); a factor model needs many more")
            frames.append(sub.to_numpy(dtype=float))
            labels.append(lev)
            row_labels.append(sub.index)
        return frames, labels, row_labels

    def _fit_ml(self, pt, parsed, stats, labels, opt, meanstructure, fiml):
        model = LisrelModel(pt)
        self._lisrel = model
        if opt["estimator"] == "MLR" and model.vsets.ov_x:
            raise InvalidParameterError(
                f"CFA(estimator='MLR') with exogenous observed covariates under fixed.x ({model.vsets.ov_x}) is not "
                "implemented; pass fixed_x=False (the covariates' means and (co)variances are then estimated) or "
                "use estimator='ML'.")
        pt = pt.copy()
        # fixed.x: covariate moments are the sample's
        for g, st in enumerate(stats):
            exo = (pt["exo"].to_numpy() == 1) & (pt["group"].to_numpy() == g + 1)
            for i in np.flatnonzero(exo):
                a, b = model.ov_pos[pt.at[i, "lhs"]], model.ov_pos.get(pt.at[i, "rhs"], None)
                if pt.at[i, "op"] == "~~":
                    pt.at[i, "ustart"] = st.cov[a, b]
                elif pt.at[i, "op"] == "~1":
                    pt.at[i, "ustart"] = st.mean[a]
        model.partable = pt
        base, K, x0, n_eq = _fixed_values_and_constraints(pt, parsed)
        free = pt["free"].to_numpy() > 0
        problem = Problem(model, stats, base, K, x0, fiml=fiml, meanstructure=meanstructure)
        nd, npar = ndat(model, stats, meanstructure), problem.nz
        if nd - npar < 0:
            raise ModelSpecificationError(
                f"the model has {npar} free parameters but the data give only {nd} moments (df = {nd - npar}): it "
                "is not identified. Fix more parameters, add equality constraints or use more indicators per "
                "factor.")
        user_start = np.where(free, pt["ustart"].to_numpy(dtype=float), np.nan)
        start = start_values(problem, user_start)
        xs = start[problem.free_rows]
        z0 = np.linalg.lstsq(K, xs - x0, rcond=None)[0] if K.shape[1] else np.zeros(0)
        opt_res = minimise(problem, z0)
        self._problem, self._opt = problem, opt_res
        if not opt_res.converged:
            msg = (f"the model did not converge ({opt_res.message}); the estimates are not a maximum of the "
                   "likelihood. Check the model (is every factor identified?), give starting values with "
                   "start(...), or simplify the model")
            warn(msg, FactorConvergenceWarning)
            self._notes.append(msg)
        z = opt_res.z
        values = problem.values(z)
        kind = "robust" if opt["estimator"] == "MLR" else ("observed" if fiml else "expected")
        inf = standard_errors(problem, z, kind)
        if not inf.ok:
            warn(inf.message, CFAWarning)
            self._notes.append(inf.message)
        npar = problem.nz
        N = problem.N
        nd = ndat(model, stats, meanstructure)
        df = nd - npar
        chisq = 2 * N * opt_res.fmin
        test = TestStatistic(chisq=chisq, df=df, pvalue=float(sstats.chi2.sf(chisq, df)) if df > 0 else np.nan)
        scaling_h1 = scaling_h0 = np.nan
        if opt["estimator"] == "MLR" and inf.ok:
            yb = yuan_bentler_trace(problem, inf, df)
            c = yb["scaling_factor"]
            test.scaled, test.scaling_factor = chisq / c, c
            test.pvalue_scaled = float(sstats.chi2.sf(test.scaled, df)) if df > 0 else np.nan
            test.trace_UGamma = yb["trace_UGamma"]
            scaling_h1, scaling_h0 = yb["scaling_factor_h1"], yb["scaling_factor_h0"]
        baseline = self._baseline(model, stats, meanstructure, fiml, opt["estimator"])
        implieds = problem.implied(z)
        self._implieds = implieds
        logl = problem.loglik(z)
        logl_h1 = float(sum(st.h1_loglik for st in stats))
        x_idx = [model.ov_pos[v] for v in model.vsets.ov_x]
        if x_idx:  # lavaan reports the likelihoods conditional on the fixed covariates
            for st in stats:
                Sxx = st.cov[np.ix_(x_idx, x_idx)]
                lx = -0.5 * st.n * (len(x_idx) * np.log(2 * np.pi) + np.linalg.slogdet(Sxx)[1] + len(x_idx))
                logl -= lx
                logl_h1 -= lx
        sample = [(st.cov, st.mean) for st in stats]
        implied_pairs = [(imp.sigma, imp.mu if meanstructure else st.mean) for imp, st in zip(implieds, stats)]
        ns = np.array([st.n for st in stats], dtype=float)
        fiml_robust = None
        if fiml:
            from .fiml_robust import fiml_corrected

            fiml_robust = fiml_corrected(self, problem, z, inf, baseline)
        gfi_sample = None
        if fiml and not all(st.complete for st in stats):
            # lavaan's GFI under FIML compares the implied moments with the pairwise (available-case) ones
            from ..._numerics import pairwise_cov

            gfi_sample = [((pairwise_cov(st.X)[0] * (st.n - 1) / st.n), np.nanmean(st.X, axis=0)) for st in stats]
        fm = compute_fit_measures(npar=npar, fmin=opt_res.fmin, test=test, baseline=baseline["test"], N=N,
                                  G=len(stats), logl=logl, logl_h1=logl_h1, sample=sample, implied=implied_pairs,
                                  ns=ns, meanstructure=meanstructure, scaled=opt["estimator"] == "MLR",
                                  fiml_robust=fiml_robust, scaling_h1=scaling_h1, scaling_h0=scaling_h0,
                                  x_idx=x_idx,
                                  patterns=[[(pt_.observed, pt_.n / st.n) for pt_ in st.patterns]
                                            if fiml and not st.complete else None for st in stats],
                                  gfi_sample=gfi_sample)
        self._finish(pt, model, problem, values, inf, test, fm, labels, stats, opt, implieds, parsed,
                     meanstructure, n_eq)

    def _baseline(self, model, stats, meanstructure, fiml, estimator) -> dict:
        """The independence model: free variances (and means), covariates' moments fixed."""
        ov = model.ov_names
        ov_x = model.vsets.ov_x
        if not fiml and estimator != "MLR" and not ov_x:
            # closed form: chi2 = sum_g n_g (sum_j log s_jj - log|S_g|)
            chisq = float(sum(st.n * (np.log(np.diag(st.cov)).sum() - st.logdet) for st in stats))
            p = model.p
            df = ndat(model, stats, meanstructure) - len(stats) * (p + (p if meanstructure else 0))
            test = TestStatistic(chisq=chisq, df=df, pvalue=float(sstats.chi2.sf(chisq, df)) if df > 0 else np.nan)
            return {"test": test, "problem": None, "z": None, "table": None}
        rows = []
        G = len(stats)
        for g in range(1, G + 1):
            for v in ov:
                if v not in ov_x:
                    rows.append((v, "~~", v, g, 1, np.nan, 0))
            nx = len(ov_x)
            for j in range(nx):
                for i in range(j, nx):
                    a, b = ov_x[j], ov_x[i]
                    rows.append((a, "~~", b, g, 0, stats[g - 1].cov[model.ov_pos[a], model.ov_pos[b]], 1))
            if meanstructure:
                for v in ov:
                    if v in ov_x:
                        rows.append((v, "~1", "", g, 0, stats[g - 1].mean[model.ov_pos[v]], 1))
                    else:
                        rows.append((v, "~1", "", g, 1, np.nan, 0))
        bt = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group", "isfree", "ustart", "exo"])
        isfree = bt.pop("isfree").to_numpy() == 1
        free_idx = np.zeros(len(bt), dtype=int)
        free_idx[isfree] = np.arange(1, int(isfree.sum()) + 1)
        bt.insert(3, "free", free_idx)
        bt["user"], bt["block"], bt["label"] = 0, bt["group"], ""
        bt["id"] = np.arange(1, len(bt) + 1)
        bt["plabel"] = [f".p{i + 1}." for i in range(len(bt))]
        bm = _BaselineModel(model, bt)
        base = bt["ustart"].to_numpy(dtype=float).copy()
        base[np.isnan(base)] = 0.0
        base[isfree] = 0.0
        K = np.eye(int(isfree.sum()))
        bp = Problem(bm, stats, base, K, np.zeros(K.shape[0]), fiml=fiml, meanstructure=meanstructure)
        # available-case means and variances: the estimates themselves for complete data
        start = np.zeros(bp.nx)
        for k, row in enumerate(bp.free_rows):
            g = bm.group[row]
            X = stats[g].X
            j = model.ov_pos[bt.at[row, "lhs"]]
            col = X[:, j][~np.isnan(X[:, j])]
            start[k] = col.var() if bt.at[row, "op"] == "~~" else col.mean()
        if fiml and not all(st.complete for st in stats):
            res = minimise(bp, start)
        else:
            from .optimizer import Optimum

            res = Optimum(z=start, fmin=bp.objective(start), grad=np.zeros(bp.nz), converged=True, iterations=0,
                          message="closed form")
        N = bp.N
        chisq = 2 * N * res.fmin
        df = ndat(model, stats, meanstructure) - bp.nz
        test = TestStatistic(chisq=chisq, df=df, pvalue=float(sstats.chi2.sf(chisq, df)) if df > 0 else np.nan)
        binf = None
        if estimator == "MLR":
            binf = standard_errors(bp, res.z, "robust")
            if binf.ok:
                yb = yuan_bentler_trace(bp, binf, df)
                c = yb["scaling_factor"]
                test.scaled, test.scaling_factor = chisq / c, c
                test.pvalue_scaled = float(sstats.chi2.sf(test.scaled, df)) if df > 0 else np.nan
                test.trace_UGamma = yb["trace_UGamma"]
        return {"test": test, "problem": bp, "z": res.z, "table": bt}

    def _finish(self, pt, model, problem, values, inf, test, fm, labels, stats, opt, implieds, parsed,
                meanstructure, n_eq):
        G = len(stats)
        level = opt["ci"]
        zq = sstats.norm.ppf(1 - (1 - level) / 2)
        se_x = np.sqrt(np.clip(np.diag(inf.vcov_x), 0, None)) if inf.ok else np.full(problem.nx, np.nan)
        se = np.zeros(len(pt))
        se[problem.free_rows] = se_x
        free = pt["free"].to_numpy() > 0
        # ordinal residual variances are computed, not estimated: report their value
        est = values.copy()
        for g, imp in enumerate(implieds):
            for v in model.ordered:
                i = np.flatnonzero((pt["group"].to_numpy() == g + 1) & (pt["op"].to_numpy() == "~~") &
                                   (pt["lhs"].to_numpy() == v) & (pt["rhs"].to_numpy() == v))
                est[i] = imp.theta[model.ov_pos[v], model.ov_pos[v]]
        table = pt.copy()
        table["est"] = est
        table["se"] = se
        self.partable_ = table
        group_name = {g + 1: lab for g, lab in enumerate(labels)}
        rows = {"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy()}
        est_tab = pd.DataFrame(rows)
        if G > 1:
            est_tab["group"] = [group_name[g] for g in pt["group"]]
        est_tab["label"] = [lab if not lab.startswith(".p") else "" for lab in pt["label"]]
        est_tab["est"] = est
        with np.errstate(divide="ignore", invalid="ignore"):
            zval = np.where(free, est / np.where(se > 0, se, np.nan), np.nan)
        est_tab["se"] = se
        est_tab["z"] = zval
        est_tab["p"] = 2 * sstats.norm.sf(np.abs(zval))
        est_tab["ci_low"] = np.where(free, est - zq * se, est)
        est_tab["ci_high"] = np.where(free, est + zq * se, est)
        # defined parameters (:=), delta method
        defs = [c for c in parsed.constraints if c.op == ":="]
        dp = DefinedParameters(defs, pt) if defs else None
        self._defined = dp
        if dp is not None:
            dv = dp.values(pt, values)
            J = np.empty((len(dp), problem.nx))
            for k in range(problem.nx):
                row = problem.free_rows[k]
                h = 1e-6 * max(1.0, abs(values[row]))
                vp, vm = values.copy(), values.copy()
                vp[row] += h
                vm[row] -= h
                J[:, k] = (dp.values(pt, vp) - dp.values(pt, vm)) / (2 * h)
            dse = np.sqrt(np.clip(np.diag(J @ inf.vcov_x @ J.T), 0, None)) if inf.ok else np.full(len(dp), np.nan)
            extra = pd.DataFrame({"lhs": [n for n, _, _ in dp.items], "op": ":=",
                                  "rhs": ["".join(d.rhs.split()) for _, _, d in dp.items]})
            if G > 1:
                extra["group"] = None
            extra["label"] = extra["lhs"]
            extra["est"] = dv
            extra["se"] = dse
            extra["z"] = dv / dse
            extra["p"] = 2 * sstats.norm.sf(np.abs(extra["z"]))
            extra["ci_low"] = dv - zq * dse
            extra["ci_high"] = dv + zq * dse
            est_tab = pd.concat([est_tab, extra], ignore_index=True)
        self.estimates_ = est_tab
        self._std_inputs = (model, pt, values, rows, est_tab, inf, zq, G)
        self._tables_inputs = (model, implieds, pt, est, stats, labels, meanstructure, inf, problem, G)
        self.fit_measures_ = pd.Series(fm, dtype=float)
        self.converged_ = bool(self._opt.converged)
        self.n_obs_ = {labels[g]: st.n for g, st in enumerate(stats)}
        self.groups_ = list(labels)
        self.test_ = {"chisq": test.chisq, "df": test.df, "pvalue": test.pvalue}
        if opt["estimator"] == "MLR":
            self.test_.update({"chisq_scaled": test.scaled, "scaling_factor": test.scaling_factor,
                               "pvalue_scaled": test.pvalue_scaled})
        self.estimator_ = opt["estimator"]
        self._inference = inf
        self._test = test
        self._opt_used = opt
        self._meanstructure = meanstructure
        self._stats = stats
        self._n_eq = n_eq
        self._check_solution(pt, model, implieds, est, labels)
        self._notes_fixed(opt, meanstructure, n_eq, G)

    # -- tables built on first use ------------------------------------------------------------------
    def _lazy(self, name, build):
        self._check_fitted(name)
        cached = self.__dict__.get("_lazy_" + name)
        if cached is None:
            cached = build()
            self.__dict__["_lazy_" + name] = cached
        return cached

    @property
    def r2_(self) -> pd.DataFrame:
        """R-squared of each endogenous variable (rows) per group (columns)."""
        def build():
            model, implieds, pt, est, stats, labels, meanstructure, inf, problem, G = self._tables_inputs
            r2 = r_squared(model, implieds, pt, est)
            return pd.DataFrame({str(labels[g]) if G > 1 else "r2": pd.Series(d) for g, d in enumerate(r2)})
        return self._lazy("r2_", build)

    def _moments(self):
        model, implieds, pt, est, stats, labels, meanstructure, inf, problem, G = self._tables_inputs
        ov = model.ov_names
        implied, sample = {}, {}
        for g, (imp, st) in enumerate(zip(implieds, stats)):
            key = labels[g]
            implied[key] = {"cov": pd.DataFrame(imp.fitted, index=ov, columns=ov),  # ordinal: D Sigma D
                            "mean": pd.Series(imp.mu if meanstructure else st.mean, index=ov)}
            if model.ordered:
                implied[key]["th"] = pd.Series(imp.tau, index=model.th_names)
            sample[key] = {"cov": pd.DataFrame(st.cov, index=ov, columns=ov), "mean": pd.Series(st.mean, index=ov)}
        return implied, sample

    @property
    def implied_(self) -> dict:
        """Per group label: the model-implied ``{"cov": DataFrame, "mean": Series}`` (ordinal items: the latent
        responses' correlations, their means, and ``"th"``, the thresholds of the standardized responses, as
        ``lavInspect(fit, "implied")``)."""
        return self._lazy("moments", self._moments)[0]

    @property
    def sample_(self) -> dict:
        """Per group label: the observed ``{"cov": DataFrame, "mean": Series}`` (divisor N; EM under FIML;
        polychoric correlations under WLSMV)."""
        return self._lazy("moments", self._moments)[1]

    @property
    def vcov_(self) -> pd.DataFrame:
        """Covariance matrix of the free parameters (lavaan's ``vcov(fit)``)."""
        def build():
            model, implieds, pt, est, stats, labels, meanstructure, inf, problem, G = self._tables_inputs
            names = _param_names(pt, problem.free_rows, G)
            return pd.DataFrame(inf.vcov_x if inf.ok else np.full((problem.nx, problem.nx), np.nan), index=names,
                                columns=names)
        return self._lazy("vcov_", build)

    @property
    def standardized_(self) -> pd.DataFrame:
        """std_lv, std_all and std_nox of every parameter, with delta-method inference of std_all
        (computed on first use)."""
        self._check_fitted("standardized_")
        cached = self.__dict__.get("_standardized")
        if cached is None:
            cached = self._standardized_table()
            self.__dict__["_standardized"] = cached
        return cached

    def _standardized_table(self) -> pd.DataFrame:
        model, pt, values, rows, est_tab, inf, zq, G = self._std_inputs
        problem = self._problem
        est = self.partable_["est"].to_numpy().copy()
        g0 = pt["group"].to_numpy() - 1
        std_lv, std_all, std_nox = self._standardized_values(model, pt, values, rows, g0, est)
        std_tab = est_tab[["lhs", "op", "rhs"] + (["group"] if G > 1 else [])].copy()
        std_tab["std_lv"] = std_lv
        std_tab["std_all"] = std_all
        std_tab["std_nox"] = std_nox
        if inf.ok and problem.nx:
            J = np.nan_to_num(self._std_all_jacobian(model, pt, values, rows, g0))
            V = J @ inf.vcov_x @ J.T
            sse = np.sqrt(np.clip(np.diag(V), 0, None))
            sse[np.abs(sse) < 1e-14] = 0.0
        else:
            sse = np.full(len(std_all), np.nan)
        std_tab["se"] = sse
        with np.errstate(divide="ignore", invalid="ignore"):
            sz = np.where(sse > 0, std_all / sse, np.nan)
        std_tab["z"] = sz
        std_tab["p"] = 2 * sstats.norm.sf(np.abs(sz))
        std_tab["ci_low"] = std_all - zq * sse
        std_tab["ci_high"] = std_all + zq * sse
        return std_tab

    def _std_all_jacobian(self, model, pt, values, rows, g0) -> np.ndarray:
        """d std_all / d x of the table rows and then the defined parameters: analytic for the rows
        (:func:`~toolkit.factor.cfa.standardized.std_all_jacobian`), the defined parameters by central
        differences of their expressions along each column; by central differences of the whole
        standardization with ordinal indicators."""
        problem = self._problem
        if model.ordered:
            return self._std_all_jacobian_numeric(model, pt, values, rows, g0)
        imps = [model.implied(values, g) for g in range(model.ngroups)]
        J = std_all_jacobian(model, imps, rows["lhs"], rows["op"], rows["rhs"], g0, values, problem.free_rows)
        dp = self._defined
        if dp is None:
            return J
        o = np.nan_to_num(standardize(model, imps, rows["lhs"], rows["op"], rows["rhs"], g0, values)[1])
        Jc = np.nan_to_num(J)
        Jd = np.empty((len(dp), J.shape[1]))
        for k in range(J.shape[1]):
            h = 1e-6 / max(1.0, np.max(np.abs(Jc[:, k])))
            Jd[:, k] = (dp.values(pt, o + h * Jc[:, k]) - dp.values(pt, o - h * Jc[:, k])) / (2 * h)
        return np.vstack([J, Jd])

    def _std_all_jacobian_numeric(self, model, pt, values, rows, g0) -> np.ndarray:
        """d std_all / d x by central differences of the whole standardization (ordinal models; tests)."""
        problem = self._problem
        J = np.empty((len(self._standardized_values(model, pt, values, rows, g0, values.copy())[1]), problem.nx))
        for k, row in enumerate(problem.free_rows):
            h = 1e-6 * max(1.0, abs(values[row]))
            out = []
            for sgn in (h, -h):
                v = values.copy()
                v[row] += sgn
                e = v.copy()
                out.append(self._standardized_values(model, pt, v, rows, g0, e)[1])
            J[:, k] = (out[0] - out[1]) / (2 * h)
        return J

    def _standardized_values(self, model, pt, values, rows, g0, est):
        """(std_lv, std_all, std_nox) of the table rows, then of the defined parameters (their expressions
        evaluated at the standardized values, as lavaan does)."""
        imps = [model.implied(values, g) for g in range(model.ngroups)]
        for g, imp in enumerate(imps):  # ordinal residual variances are computed
            for v in model.ordered:
                i = np.flatnonzero((g0 == g) & (pt["op"].to_numpy() == "~~") & (pt["lhs"].to_numpy() == v) &
                                   (pt["rhs"].to_numpy() == v))
                est[i] = imp.theta[model.ov_pos[v], model.ov_pos[v]]
        out = standardize(model, imps, rows["lhs"], rows["op"], rows["rhs"], g0, est)
        dp = self._defined
        if dp is None:
            return out
        return tuple(np.concatenate([o, dp.values(pt, o)]) for o in out)

    def _check_solution(self, pt, model, implieds, est, labels):
        G = len(implieds)
        lhs, op, rhs = pt["lhs"].to_numpy(), pt["op"].to_numpy(), pt["rhs"].to_numpy()
        grp = pt["group"].to_numpy()
        neg = np.flatnonzero((op == "~~") & (lhs == rhs) & (pt["free"].to_numpy() > 0) & (est < 0))
        if neg.size:
            where = ", ".join(f"{lhs[i]}" + (f" (group {labels[grp[i] - 1]!r})" if G > 1 else "") for i in neg)
            msg = (f"negative variance estimate(s) for {where} (a Heywood case): the variance is left free, as "
                   "lavaan does; the model may be misspecified (too many factors, a factor with two indicators, "
                   "an outlier) or the sample too small. Inspect those items, or fix the variance if the "
                   "population value is known to be near zero")
            warn(msg, HeywoodWarning)
            self._notes.append(msg)
        for g, imp in enumerate(implieds):
            bad = [v for v in model.ordered if imp.theta[model.ov_pos[v], model.ov_pos[v]] < 0]
            if bad:
                msg = (f"negative residual variance(s) (1 - R2 of the latent response) for {bad}" +
                       (f" in group {labels[g]!r}" if G > 1 else "") + " (a Heywood case); lavaan reports the same "
                       "value. The model may be misspecified, or an item nearly determined by its factor")
                warn(msg, HeywoodWarning)
                self._notes.append(msg)
            nlv = len(model.lv_names)
            if nlv:
                w = np.linalg.eigvalsh(imp.lv_cov[:nlv, :nlv])
                if w.min() < -1e-10 * max(1.0, abs(w).max()):
                    msg = ("the covariance matrix of the factors is not positive definite" +
                           (f" in group {labels[g]!r}" if G > 1 else "") +
                           f" (smallest eigenvalue {w.min():.3g}): a factor correlation outside [-1, 1] or a "
                           "negative variance; the solution is not admissible. Merge highly correlated factors or "
                           "check the model")
                    warn(msg, NotPositiveDefiniteWarning)
                    self._notes.append(msg)
            th = imp.theta
            if np.any(th - np.diag(np.diag(th))):
                w = np.linalg.eigvalsh(th)
                if w.min() < -1e-10 * max(1.0, abs(w).max()):
                    msg = ("the covariance matrix of the residuals is not positive definite" +
                           (f" in group {labels[g]!r}" if G > 1 else "") + f" (smallest eigenvalue {w.min():.3g}); "
                           "check the residual covariances and variances")
                    warn(msg, NotPositiveDefiniteWarning)
                    self._notes.append(msg)

    def _notes_fixed(self, opt, meanstructure, n_eq, G):
        est = opt["estimator"]
        if est == "ML":
            se = "observed information (FIML)" if opt["missing"] == "fiml" else "expected information"
            self._notes.append(f"estimator ML, standard errors from the {se} (lavaan's defaults)")
        elif est == "WLSMV":
            self._notes.append("estimator WLSMV: thresholds and polychoric correlations (listwise), DWLS estimates, "
                               "robust standard errors and the scaled-shifted test, as lavaan's estimator='WLSMV' "
                               "(delta parameterization)")
        elif est == "MLR":
            self._notes.append("estimator MLR: Huber-White standard errors (observed information as the bread) and "
                               "the Yuan-Bentler scaled chi-square (Mplus variant), as lavaan's estimator='MLR'")
        if opt["missing"] == "fiml":
            self._notes.append("missing values: full-information maximum likelihood; the saturated model is "
                               "estimated by EM, and the robust CFI/TLI/RMSEA are lavaan's FIML-corrected ones")
        if n_eq:
            self._notes.append(f"{n_eq} equality constraint(s) among the free parameters (npar counts them once)")
        self._notes.append("fixed parameters are reported with se 0 and no z or p (as lavaan)")

    # -- WLSMV ----------------------------------------------------------------------------------------
    def _fit_wlsmv(self, parsed, user_table, frames, labels, row_labels, opt, ordered, group, data):
        """The ordinal route: lavaan's thresholds, polychorics and Gamma, then DWLS (see :mod:`.delta`)."""
        from .delta import DeltaModel, check_scope
        from .inference import Inference
        from .optimizer import Optimum
        from .ordinal import ordinal_statistics
        from .samplestats import GroupStats
        from .wls import fit_wls

        if user_table is not None:
            raise InvalidParameterError("estimator='WLSMV' takes lavaan syntax, not an edited parameter table.")
        rows = [(s_.lhs, s_.op, s_.rhs) for s_ in parsed.statements]
        ov = variable_sets(rows, ordered=ordered).ov
        cols = ov + ([group] if group is not None else [])
        items = numeric_frame(data[ov], caller="CFA.fit")
        if group is not None:
            items[group] = data[group].to_numpy()
        st = ordinal_statistics(items[cols], group=group, missing="listwise")
        samples = st.samples
        nth = {it: int(sum(1 for n in samples[0].threshold_names if n.split("|")[0] == it)) for it in ov}
        G = len(samples)
        equal = list(opt["group_equal"] or ())
        if {"intercepts", "thresholds"} & set(equal):  # lavaan 0.6-14 ties the two for ordinal items
            equal = list(dict.fromkeys([*equal, "intercepts", "thresholds"]))
        pt = parameter_table(parsed, ngroups=G, std_lv=opt["std_lv"], meanstructure=True,
                             orthogonal=opt["orthogonal"], fixed_x=opt["fixed_x"], group_equal=equal,
                             group_partial=opt["group_partial"], ordered=ordered, nthresholds=nth)
        model = LisrelModel(pt, ordered=ordered, ov_order=ov)
        self._lisrel = model
        check_scope(model, pt)
        base, K, x0, n_eq = _fixed_values_and_constraints(pt, parsed)
        free = pt["free"].to_numpy() > 0
        # pseudo moments (polychoric correlations, zero means) for the starting values and the tables
        pstats = []
        for s_ in samples:
            R = np.asarray(s_.correlation, dtype=float)
            pstats.append(GroupStats(label=s_.group, n=int(s_.n_obs), X=np.zeros((0, len(ov))),
                                     mean=np.zeros(len(ov)), cov=R, logdet=float(np.linalg.slogdet(R)[1])))
        problem = Problem(model, pstats, base, K, x0, fiml=False, meanstructure=True)
        nd = sum(len(s_.wls_obs) for s_ in samples)
        if nd - problem.nz < 0:
            raise ModelSpecificationError(f"the model has {problem.nz} free parameters but the data give only {nd} "
                                          "statistics: it is not identified.")
        user_start = np.where(free, pt["ustart"].to_numpy(dtype=float), np.nan)
        start = start_values(problem, user_start)
        for g, s_ in enumerate(samples):   # thresholds start at the sample's
            sel = np.flatnonzero((model.group == g) & (pt["op"].to_numpy() == "|") & free)
            pos = {n: k for k, n in enumerate(s_.threshold_names)}
            for i in sel:
                start[i] = s_.thresholds[pos[f"{pt.at[i, 'lhs']}|{pt.at[i, 'rhs']}"]]
        dm = DeltaModel(model, base, problem.free_rows, samples)
        H = None
        if problem.nz < problem.nx:
            from scipy.linalg import null_space

            H = null_space(K.T).T
        names = _param_names(pt, problem.free_rows, G)
        with np.errstate(all="ignore"):
            wfit = fit_wls(samples, dm.implied, dm.jacobian, start[problem.free_rows], constraints=H,
                           constraint_rhs=None if H is None else H @ x0, names=names, ci=opt["ci"])
        for note in wfit.notes:
            self._notes.append(note)
        x = np.asarray(wfit.estimates, dtype=float)
        z = np.linalg.lstsq(K, x - x0, rcond=None)[0] if K.shape[1] else np.zeros(0)
        self._problem = problem
        self._opt = Optimum(z=z, fmin=wfit.fmin, grad=np.zeros(problem.nz), converged=bool(wfit.converged),
                            iterations=wfit.iterations, message="converged" if wfit.converged else "not converged")
        if not wfit.converged:
            msg = ("the DWLS fit did not converge; the estimates are not a minimum. Check the model, or give "
                   "starting values with start(...)")
            warn(msg, FactorConvergenceWarning)
            self._notes.append(msg)
        values = problem.values(z)
        vcov = np.asarray(wfit.vcov, dtype=float)
        ok = bool(np.all(np.isfinite(vcov)))
        inf = Inference(vcov_z=None, vcov_x=vcov if ok else None, info_z=None, ok=ok,
                        message="" if ok else "the robust standard errors could not be computed")
        tests = wfit.tests
        std = tests.loc["standard"]
        test = TestStatistic(chisq=float(std["stat"]), df=int(std["df"]), pvalue=float(std["pvalue"]))
        if "scaled.shifted" in tests.index:
            sh = tests.loc["scaled.shifted"]
            test.scaled, test.scaling_factor = float(sh["stat"]), float(sh["scaling.factor"])
            test.pvalue_scaled, test.shift = float(sh["pvalue"]), float(sh["shift.parameter"])
        implieds = problem.implied(z)
        self._implieds = implieds
        fm = dict(wfit.fit_measures)
        self._finish(pt, model, problem, values, inf, test, fm, labels, pstats, opt, implieds, parsed, True, n_eq)
        self.test_.update({"chisq_scaled": test.scaled, "scaling_factor": test.scaling_factor,
                           "shift": test.shift, "pvalue_scaled": test.pvalue_scaled})
        self._wls = wfit
        self._wls_samples = samples
        return self

    # -- results --------------------------------------------------------------------------------------
    def _make_result(self) -> CFAResult:
        G = len(self.groups_)
        n = sum(self.n_obs_.values())
        title = f"CFA ({self.estimator_}, {n} rows" + (f", {G} groups" if G > 1 else "") + ")"
        fm = self.fit_measures_
        key = ["npar", "chisq", "df", "pvalue"]
        if "chisq.scaled" in fm:
            key += ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust", "tli.robust",
                    "rmsea.robust"]
        key += ["cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr"]
        if "aic" in fm:
            key += ["aic", "bic"]
        return CFAResult(title=title, notes=list(self._notes), estimates=self.estimates_.copy(),
                         fit=fm.reindex([k for k in key if k in fm]).copy(), fit_measures=fm.copy(),
                         standardized=self.standardized_.copy(), r2=self.r2_.copy(), estimator=self.estimator_,
                         n_obs=int(n), converged=self.converged_)

    # -- more output ----------------------------------------------------------------------------------
    def modification_indices(self, *, sort: bool = True, minimum: float = 0.0) -> pd.DataFrame:
        """Modification indices with expected parameter changes, as ``lavaan::modindices()``.

        Returns a DataFrame ``lhs, op, rhs, [group], mi, epc, sepc_lv, sepc_all, sepc_nox`` for every
        parameter the model fixes or leaves out (loadings, residual covariances, factor covariances,
        regressions among the model's dependent variables, intercepts), sorted by ``mi`` when ``sort``.

        Notes
        -----
        MI = N g^2 / (I_11 - I_12 I_22^-1 I_21) with g the gradient of the fit function and I the expected
        information of the model extended by the candidate (a score test, 1 df); EPC = -g / (I_11 - ...).
        Under WLSMV both come from the DWLS fit function, as lavaan's: g = -sum_g (N_g - 1)/N Delta_g' W_g
        (s_g - sigma_g) and I = sum_g N_g/N Delta_g' W_g Delta_g over the thresholds and polychoric
        correlations; the candidates are the cross-loadings and the residual covariances of the items (an
        ordered item's residual variance and intercept are no parameters in the delta parameterization), and,
        with loadings equal across groups, the groups' scale factors (``~*~``) fixed at 1, as lavaan lists them.

        R equivalent: ``lavaan::modindices(fit)``.
        """
        self._check_fitted("modification_indices()")
        from .modindices import modification_indices

        return modification_indices(self, sort=sort, minimum=minimum)

    def residuals(self, type: str = "cor") -> dict:
        """Residual moments per group: ``{"cov": DataFrame, "mean": Series}``.

        ``type``: ``"raw"`` (S - Sigma), ``"cor"`` (Bollen's: cor(S) - cor(Sigma), lavaan's
        ``residuals(fit, type = "cor")``) or ``"cor.bentler"`` (both standardised by the observed SDs).
        """
        self._check_fitted("residuals()")
        type = check_choice(type, ("raw", "cor", "cor.bollen", "cor.bentler"), param="type",
                            caller="CFA.residuals")
        out = {}
        for key in self.groups_:
            S, m = self.sample_[key]["cov"], self.sample_[key]["mean"]
            Sig, mu = self.implied_[key]["cov"], self.implied_[key]["mean"]
            sd, sds = np.sqrt(np.diag(S)), np.sqrt(np.diag(Sig))
            if type == "raw":
                c, mm = S - Sig, m - mu
            elif type == "cor.bentler":
                c, mm = (S - Sig) / np.outer(sd, sd), (m - mu) / sd
            else:
                c = S / np.outer(sd, sd) - Sig / np.outer(sds, sds)
                mm = (m - mu) / sd
            out[key] = {"cov": c, "mean": mm}
        return out


@functools.lru_cache(maxsize=128)
def _parse(text: str) -> ParsedModel:
    """Parsed model strings are kept: refitting the same model (bootstrap, families) skips the parser."""
    return parse_syntax(text)


@functools.lru_cache(maxsize=128)
def _table(text: str, G: int, std_lv: bool, meanstructure: bool, orthogonal: bool, fixed_x: bool, group_equal: tuple,
           group_partial: tuple) -> pd.DataFrame:
    """The parameter table of a model string and options (kept; callers get a copy)."""
    return parameter_table(_parse(text), ngroups=G, std_lv=std_lv, meanstructure=meanstructure,
                           orthogonal=orthogonal, fixed_x=fixed_x, group_equal=list(group_equal),
                           group_partial=list(group_partial))


def _str_list(value, param):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        out = list(value)
    except TypeError:
        raise InvalidParameterError(f"The {param!r} parameter of CFA() must be a list of strings; got "
                                    f"{value!r}.") from None
    if not all(isinstance(v, str) for v in out):
        raise InvalidParameterError(f"The {param!r} parameter of CFA() must be a list of strings; got {out!r}.")
    return out


def _complete_table(table: pd.DataFrame, G: int) -> pd.DataFrame:
    """A user's (or our own) table with every lavaan column, checked."""
    t = table.copy().reset_index(drop=True)
    if "group" not in t.columns:
        t["group"] = 1
    if int(t["group"].max()) != G:
        raise ModelSpecificationError(f"the parameter table has {int(t['group'].max())} group(s) but the data "
                                      f"have {G}; build the table with parameter_table(..., ngroups={G})")
    defaults = {"id": np.arange(1, len(t) + 1), "user": 1, "block": t["group"], "exo": 0, "label": "",
                "plabel": [f".p{i + 1}." for i in range(len(t))]}
    for c, v in defaults.items():
        if c not in t.columns:
            t[c] = v
    t["label"] = t["label"].fillna("").astype(str)
    t["rhs"] = t["rhs"].fillna("").astype(str)
    free = t["free"].to_numpy()
    isfree = free > 0
    t["free"] = 0
    t.loc[isfree, "free"] = np.arange(1, int(isfree.sum()) + 1)
    if (~isfree & t["ustart"].isna() & (t["exo"] == 0)).any():
        bad = t.loc[~isfree & t["ustart"].isna() & (t["exo"] == 0), ["lhs", "op", "rhs"]].head(5)
        raise ModelSpecificationError(f"fixed parameters without a value (ustart) in the parameter table: "
                                      f"{bad.to_dict('records')}; give them a value or free them")
    return t[PARTABLE_COLUMNS + [c for c in t.columns if c not in PARTABLE_COLUMNS]]


def _param_names(pt, rows, G):
    """``lhs op rhs`` (and ``.gN`` with groups) of table rows, lavaan's labels of free parameters."""
    lhs, op, rhs, grp = (pt[c].to_numpy()[rows] for c in ("lhs", "op", "rhs", "group"))
    return [f"{a}{o}{b}" + (f".g{g}" if G > 1 else "") for a, o, b, g in zip(lhs, op, rhs, grp)]


def _BaselineModel(model: LisrelModel, table: pd.DataFrame) -> LisrelModel:
    """The independence model, with the fitted model's order of observed variables."""
    return LisrelModel(table, ov_order=model.ov_names)


def cfa(data: pd.DataFrame, model, *, group: str | None = None, **options) -> CFA:
    """Fit a confirmatory factor model in one call: ``CFA(model, **options).fit(data, group=group)``.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    model : str or DataFrame
        lavaan syntax or a parameter table.
    group : str, optional
        Column of groups (multi-group model).
    **options
        The parameters of :class:`CFA` (``estimator``, ``std_lv``, ``missing``, ``group_equal``, ...).

    Returns
    -------
    CFA
        The fitted model.

    Notes
    -----
    See :class:`CFA`.

    R equivalent: ``lavaan::cfa(model, data, group = group, ...)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> X = pd.DataFrame(f @ [[0.9, 0.8, 0.7]] + rng.normal(scale=0.5, size=(300, 3)), columns=["a", "b", "c"])
    >>> fit = cfa(X, "f =~ a + b + c", std_lv=True)
    >>> float(fit.fit_measures_["df"])
    0.0
    """
    unknown = set(options) - set(CFA._get_param_names())
    if unknown:
        raise InvalidParameterError(f"cfa() got unknown option(s) {sorted(unknown)}; the options are "
                                    f"{', '.join(p for p in CFA._get_param_names() if p != 'model')}.")
    return CFA(model, **options).fit(data, group=group)


def _fixed_values_and_constraints(pt, parsed):
    """The parameter vector's fixed values (free ones and unset ones 0) and the reparameterisation of the
    model's equality constraints: ``(base, K, x0, n_eq)`` as :func:`reparameterise` gives them."""
    base = pt["ustart"].to_numpy(dtype=float).copy()
    base[pt["free"].to_numpy() > 0] = 0.0
    base[np.isnan(base)] = 0.0
    eq = [c for c in parsed.constraints if c.op == "=="]
    K, x0, n_eq = reparameterise(pt, eq, base)
    return base, K, x0, n_eq
