"""The fitted exploratory factor analysis, :class:`EFA` (psych::fa in scikit-learn form), and its result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from .._checks import (
    check_bool,
    check_choice,
    check_ci,
    check_count,
    check_missing,
    check_number,
    renamed_parameter,
    warn,
)
from .._estimator import Estimator
from .._results import Result
from ..exceptions import (
    DataValidationError,
    FactorConvergenceWarning,
    HeywoodWarning,
    InvalidParameterError,
    NotPositiveDefiniteWarning,
)
from ._data import as_correlation_frame, as_item_frame, is_correlation, singular_cause
from ._fa import PREFIX, fa_core, fa_stats
from .correlation import CORRELATIONS, _smooth, pairwise_counts, pearson, polychoric, require_complete
from .extraction import LOWER, METHODS
from .rotation import OBLIQUE, ROTATIONS

__all__ = ["EFA", "EFAResult"]

SCORES = ("regression", "Bartlett")


@dataclass(kw_only=True, repr=False, eq=False)
class EFAResult(Result):
    """The result of a fitted :class:`EFA` (``EFA.result_``), what its display and ``summary()`` show.

    Attributes
    ----------
    table : DataFrame
        psych's printed table: loadings (items sorted as psych::fa.sort), ``h2``, ``u2`` and ``com``.
    variance : DataFrame
        SS loadings, proportion and cumulative variance (psych's ``Vaccounted``).
    phi : DataFrame or None
        Factor correlations (None for orthogonal rotations).
    fit : Series
        Fit statistics (see :attr:`EFA.fit_`).
    title, notes :
        See :class:`toolkit._results.Result`.
    """

    table: pd.DataFrame
    variance: pd.DataFrame
    phi: pd.DataFrame | None
    fit: pd.Series

    def _display_tables(self) -> dict:
        out = {"loadings (sorted), h2, u2, com": self.table, "variance accounted for": self.variance}
        if self.phi is not None:
            out["factor correlations"] = self.phi
        out["fit"] = self.fit
        return out


class EFA(Estimator):
    """Exploratory factor analysis with psych::fa's algorithms, defaults and output.

    Parameters
    ----------
    n_factors : int
        Number of factors.
    method : {"minres", "ml", "pa"}
        Extraction: minimum residual (psych's default), maximum likelihood, principal axis.
    rotation : str
        ``"oblimin"`` (default, as psych), ``"promax"`` (Kaiser-normalised, as psych),
        ``"Promax"``, ``"varimax"``, ``"quartimin"``, ``"geomin"``/``"geominQ"``,
        ``"geominT"``, ``"quartimax"``, ``"bifactor"``, ``"Varimax"`` or ``"none"``.
    corr : {"pearson", "polychoric"}
        Correlations computed from raw data (psych's ``cor="cor"`` / ``"poly"``).
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations (psych's default) or drop incomplete rows first.
    n_obs : int, optional
        Number of respondents when ``fit`` receives a correlation matrix (needed for
        the chi-square based fit statistics).
    scores : {"regression", "Bartlett"}
        Factor-score method used by :meth:`transform`.
    ci : float
        Confidence level of the RMSEA interval (default 0.9, psych's ``alpha = .1``). Replaces ``alpha``
        (one minus the level), which is accepted until version 0.3 with a ``DeprecationWarning``.
    min_err : float
        Principal axis stops when the communalities change by less than this (psych's default 0.001).
    max_iter : int
        Principal axis stops after this many iterations (psych's default 50).

    Attributes
    ----------
    loadings_ : DataFrame
        Pattern loadings, items x factors, signed (positive column sums) and ordered by
        variance explained, named as psych names them (MR1.., ML1.., PA1..).
    phi_ : DataFrame or None
        Factor correlations for oblique rotations, aligned with ``loadings_``'s columns.
    structure_ : DataFrame
        Structure matrix ``loadings_ @ phi_`` (the loadings for orthogonal rotations).
    communalities_ : Series
        psych's ``h2``.
    uniquenesses_ : Series
        psych's ``u2``.
    complexity_ : Series
        Hoffman's index of complexity, psych's ``com``.
    variance_ : DataFrame
        SS loadings, proportion and cumulative variance, as psych's ``Vaccounted``.
    fit_ : Series
        rms (RMSR), crms, chi2 (likelihood), dof, p_value, tli, rmsea, rmsea_low,
        rmsea_high, bic, e_chi2 (empirical), e_bic, fit, fit_off, objective, null_chi2 ...
    eigenvalues_ : Series
        Eigenvalues of the correlation matrix (psych ``e.values``).
    common_eigenvalues_ : Series
        Eigenvalues of the reduced matrix (psych ``values``).
    weights_ : DataFrame
        Factor-score weights for ``scores``.
    heywood_ : list of str
        Items whose uniqueness ended at the 0.005 bound or whose communality >= 1;
        a :class:`~toolkit.exceptions.HeywoodWarning` is issued when it is not empty.
    corr_ : DataFrame
        The correlation matrix analysed.
    n_obs_ : int or None
        Respondents (rows used; ``n_obs`` for a correlation matrix).
    unrotated_loadings_ : DataFrame
        Loadings before rotation (psych's ``fa(..., rotate = "none")``).
    rotation_matrix_ : ndarray or None
        psych's ``rot.mat`` (None without rotation).
    score_r2_ : Series
        Squared multiple correlation of each factor with its score estimate, for the ``scores`` weights
        (psych's ``R2`` for regression scores).
    converged_ : bool
        Whether extraction and rotation both met their stopping rules (a
        :class:`~toolkit.exceptions.FactorConvergenceWarning` says when not).
    n_iter_ : int
        Extraction iterations.
    feature_names_in_ : ndarray of str
        Item names (scikit-learn's convention).
    n_features_in_ : int
        Number of items.
    result_ : EFAResult
        The fit as a result: what ``summary()``, ``to_frame()``, ``notes_`` and the display show.
    notes_ : list of str
        What a reader must know about the fit: every warning it raised, the R call it mirrors.

    Notes
    -----
    The common-factor model :math:`R = \\Lambda \\Phi \\Lambda' + \\Psi`. minres minimises
    :math:`\\sum_{i<j} (r_{ij} - \\hat r_{ij})^2`; ML minimises
    :math:`\\mathrm{tr}(\\hat\\Sigma^{-1}R) - \\log|\\hat\\Sigma^{-1}R| - p`. Fit statistics follow
    psych::fa.stats (chi-square with Bartlett's correction, TLI, RMSEA, BIC).

    A singular correlation matrix (a duplicated item, items that are linear combinations of each other,
    fewer respondents than items) is analysed as psych::fa analyses it (fit statistics from the matrix
    smoothed by psych::cor.smooth; factor-score weights from its pseudo-inverse, psych::factor.scores'
    remedy), with a :class:`~toolkit.exceptions.NotPositiveDefiniteWarning` that names the collinear items
    or the number of respondents.

    R equivalent: ``psych::fa(x, nfactors = 1, fm = "minres", rotate = "oblimin")``.

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality
    research (R package 2.2.9). Northwestern University.

    Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for arbitrary
    rotation criteria in factor analysis. Educational and Psychological Measurement, 65, 676-696.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from toolkit.factor import EFA
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 2))
    >>> lam = np.array([[.8, 0], [.7, 0], [.6, 0], [0, .8], [0, .7], [0, .6]])
    >>> x = pd.DataFrame(f @ lam.T + rng.normal(size=(500, 6)) * .6, columns=list("abcdef"))
    >>> efa = EFA(2).fit(x)
    >>> (efa.loadings_.abs() > .4).sum().tolist()
    [3, 3]
    >>> efa.phi_.shape
    (2, 2)
    """

    title: ClassVar[str] = "Exploratory factor analysis"
    _fitted_attr: ClassVar[str] = "loadings_"

    #: psych's lower bound on uniquenesses in minres/ML; a uniqueness there is a Heywood case
    UNIQUENESS_BOUND = LOWER

    @renamed_parameter("alpha", "ci", transform=lambda alpha: 1 - alpha)
    def __init__(self, n_factors: int = 1, method: str = "minres", rotation: str = "oblimin", *, corr: str = "pearson",
                 missing: str = "pairwise", n_obs: int | None = None, scores: str = "regression", ci: float = 0.9,
                 min_err: float = 0.001, max_iter: int = 50):
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.corr = corr
        self.missing = missing
        self.n_obs = n_obs
        self.scores = scores
        self.ci = ci
        self.min_err = min_err
        self.max_iter = max_iter

    def _checked_params(self) -> dict:
        """The parameters, validated (``__init__`` stores them unchecked, as scikit-learn requires)."""
        c = "EFA"
        return dict(
            n_factors=check_count(self.n_factors, param="n_factors", caller=c, minimum=1),
            method=check_choice(self.method, METHODS, param="method", caller=c),
            rotation=check_choice(self.rotation, ROTATIONS, param="rotation", caller=c),
            corr=check_choice(self.corr, CORRELATIONS, param="corr", caller=c),
            missing=check_missing(self.missing, caller=c),
            n_obs=None if self.n_obs is None else check_count(self.n_obs, param="n_obs", caller=c, minimum=2),
            scores=check_choice(self.scores, SCORES, param="scores", caller=c),
            ci=check_ci(self.ci, caller=c),
            min_err=check_number(self.min_err, param="min_err", caller=c, low=0, low_open=True),
            max_iter=check_count(self.max_iter, param="max_iter", caller=c, minimum=1),
        )

    def fit(self, X, y=None):
        """Fit to item responses (rows = respondents) or to a correlation matrix.

        Parameters
        ----------
        X : DataFrame or ndarray
            Item responses, one row per respondent and one column per item (NaN for a missing answer), or
            a correlation matrix (square, symmetric, unit diagonal: psych's ``isCorrelation``).
        y : None
            Ignored (scikit-learn's signature).

        Returns
        -------
        EFA
            The fitted estimator itself.
        """
        params = self._checked_params()
        method, rotation, k = params["method"], params["rotation"], params["n_factors"]
        notes: list[str] = []

        def note(message, category):
            warn(message, category)
            notes.append(message)

        np_obs = None
        if is_correlation(X):
            r = as_correlation_frame(X)
            n_obs = params["n_obs"]
        else:
            x = as_item_frame(X, param="X", caller="EFA.fit")
            if params["missing"] == "listwise":
                x = x.dropna()
            n_obs = len(x)
            np_obs = pairwise_counts(x).to_numpy()
            if params["corr"] == "polychoric":
                poly = polychoric(x)
                r = poly.rho
                notes += [n for n in poly.notes if not n.startswith("R equivalent")]
            else:
                r = pearson(x)
        p = r.shape[0]
        if k >= p:
            raise InvalidParameterError(
                f"The 'n_factors' parameter of EFA() is too large: n_factors={k} is too many for {p} items; use at "
                f"most {p - 1}.")
        names = list(r.index)
        require_complete(r)  # missing='listwise' is no remedy: it would leave no complete row
        singular = self._singular_note(r, n_obs, note)
        a = r.to_numpy()
        core = fa_core(a, k, method, rotation, min_err=params["min_err"], max_iter=params["max_iter"])
        lam, phi, fnames = core["loadings"], core["phi"], core["names"]
        st = fa_stats(a, lam, phi, n_obs, np_obs, ci=params["ci"], singular=singular)
        ext = core["extraction"]

        self.corr_ = r
        self.n_obs_ = n_obs
        self.loadings_ = pd.DataFrame(lam, index=names, columns=fnames)
        self.unrotated_loadings_ = pd.DataFrame(core["unrotated"], index=names,
                                                columns=[f"{PREFIX[method]}{i + 1}" for i in range(k)])
        self.phi_ = None if phi is None else pd.DataFrame(phi, index=fnames, columns=fnames)
        phi_ = np.eye(k) if phi is None else phi
        self.structure_ = pd.DataFrame(lam @ phi_, index=names, columns=fnames)
        self.communalities_ = pd.Series(core["communality"], index=names, name="h2")
        self.uniquenesses_ = pd.Series(core["uniquenesses"], index=names, name="u2")
        self.complexity_ = pd.Series(st["complexity"], index=names, name="com")
        vx = np.diag(phi_ @ lam.T @ lam)
        vtotal = float(np.sum(core["communality"] + core["uniquenesses"]))
        self.variance_ = pd.DataFrame(
            [vx, vx / vtotal, np.cumsum(vx / vtotal), vx / vx.sum(), np.cumsum(vx / vx.sum())],
            index=["ss_loadings", "proportion_var", "cumulative_var", "proportion_explained", "cumulative_proportion"],
            columns=fnames,
        )
        self.eigenvalues_ = pd.Series(core["e_values"], index=range(1, p + 1), name="eigenvalue")
        self.common_eigenvalues_ = pd.Series(core["values"], index=range(1, p + 1), name="common_eigenvalue")
        keys = ["rms", "crms", "chi2", "dof", "p_value", "tli", "rmsea", "rmsea_low", "rmsea_high", "bic", "sabic",
                "e_chi2", "e_p_value", "e_bic", "fit", "fit_off", "objective", "null_chi2", "null_dof", "harmonic_n"]
        self.fit_ = pd.Series({key: float(st[key]) for key in keys}, name="fit")
        self.rotation_matrix_ = core["rotation"].rotmat
        self.weights_ = pd.DataFrame(self._weights(lam, phi_, a, st, params["scores"]), index=names, columns=fnames)
        self.score_r2_ = pd.Series(np.diag(self.weights_.to_numpy().T @ (lam @ phi_)), index=fnames, name="r2")
        self.converged_ = bool(ext.converged and core["rotation"].converged)
        self.n_iter_ = ext.iterations
        heywood = {names[i] for i in ext.at_bound} | set(self.communalities_.index[self.communalities_ >= 1])
        self.heywood_ = [n for n in names if n in heywood]
        self.feature_names_in_ = np.array(names, dtype=object)
        self.n_features_in_ = p
        if not ext.converged:
            note(f"{method} extraction did not converge: {ext.message}.", FactorConvergenceWarning)
        if core["rotation"].message:
            notes.append(core["rotation"].message)  # rotate() has warned
        for message in st["messages"]:
            note(message, FactorConvergenceWarning)
        if self.heywood_:
            note(f"Heywood case: items {self.heywood_} have a uniqueness at the 0.005 bound or a communality >= 1 "
                 f"(communalities {self.communalities_[self.heywood_].round(3).to_dict()}). The solution is improper: "
                 "try fewer factors, another method, or check those items.", HeywoodWarning)
        self._notes = notes
        self._fitted_params = params  # what the fit used, for its display (set_params may change them later)
        return self

    @staticmethod
    def _singular_note(r: pd.DataFrame, n_obs, note) -> bool:
        """Warn (and note) when the matrix is singular or not positive definite, naming the cause; True when
        it is singular."""
        found = singular_cause(r, n_obs)
        if found is not None:
            note(f"The correlation matrix is singular: {found[0]}. The factors are extracted from it as psych::fa "
                 "does; the fit statistics use it smoothed by psych::cor.smooth and the factor-score weights its "
                 "pseudo-inverse. Drop one item of each set (or combine them), or collect more respondents.",
                 NotPositiveDefiniteWarning)
            return True
        if _smooth(r.to_numpy())[1]:
            smallest = float(np.linalg.eigvalsh(r.to_numpy())[0])
            note(f"The correlation matrix is not positive definite (smallest eigenvalue {smallest:.3g}): pairwise-"
                 "complete correlations come from different respondents. As psych::fa does, the fit statistics and "
                 "factor-score weights use it smoothed by psych::cor.smooth; missing='listwise' avoids this.",
                 NotPositiveDefiniteWarning)
        return False

    @staticmethod
    def _weights(lam, phi_, a, st, scores):
        if scores == "regression":
            return st["weights"]
        h2 = np.diag(lam @ phi_ @ lam.T)
        inv_u2 = 1 / (1 - h2)
        lw = lam * inv_u2[:, None]
        return lw @ np.linalg.inv(lam.T @ lw)

    def transform(self, X) -> pd.DataFrame:
        """Factor scores of item responses, standardised with X's own means and SDs.

        Parameters
        ----------
        X : DataFrame or ndarray
            Item responses with (at least) the items the model was fitted to.

        Returns
        -------
        DataFrame
            One row per row of ``X`` (its index kept), one column per factor; rows with a missing answer
            get NaN scores (psych's default, ``impute="none"``).
        """
        self._check_fitted("transform()")
        x = as_item_frame(X, param="X", caller="EFA.transform")
        missing_cols = [c for c in self.loadings_.index if c not in x.columns]
        if missing_cols:
            raise DataValidationError(
                f"The 'X' argument of EFA.transform() lacks the fitted item columns {missing_cols}; pass the same "
                "items as at fit.", report=pd.DataFrame({"column": missing_cols, "reason": "not in X"}))
        x = x[list(self.loadings_.index)]
        z = (x - x.mean()) / x.std(ddof=1)
        return pd.DataFrame(z.to_numpy() @ self.weights_.to_numpy(), index=x.index, columns=self.loadings_.columns)

    def fit_transform(self, X, y=None) -> pd.DataFrame:
        """Fit to ``X`` and return its factor scores.

        Parameters
        ----------
        X : DataFrame or ndarray
            Item responses (a correlation matrix has no scores).
        y : None
            Ignored (scikit-learn's signature).

        Returns
        -------
        DataFrame
            As :meth:`transform`.
        """
        return self.fit(X).transform(X)

    def sorted_loadings(self, cut: float = 0.0) -> pd.DataFrame:
        """Loadings with items grouped by their largest loading, as psych::fa.sort orders them.

        Parameters
        ----------
        cut : float
            Loadings smaller than this in absolute value are blanked (NaN) for reading; 0 keeps all.

        Returns
        -------
        DataFrame
            Items (reordered) x factors.
        """
        self._check_fitted("sorted_loadings()")
        cut = check_number(cut, param="cut", caller="EFA.sorted_loadings", low=0)
        lam = self.loadings_
        top = lam.abs().to_numpy().argmax(axis=1)
        size = lam.abs().to_numpy().max(axis=1)
        order = np.lexsort((-size, top))
        out = lam.iloc[order]
        return out.where(out.abs() >= cut) if cut > 0 else out

    def summary(self, cut: float = 0.0, sort: bool = True) -> pd.DataFrame:
        """The table psych prints: loadings, h2, u2 and complexity per item.

        Parameters
        ----------
        cut : float
            Loadings smaller than this in absolute value are blanked (NaN) for reading.
        sort : bool
            Order items as psych::fa.sort does (by their largest loading).

        Returns
        -------
        DataFrame
            Items x (factors, ``h2``, ``u2``, ``com``), unrounded.
        """
        self._check_fitted("summary()")
        sort = check_bool(sort, param="sort", caller="EFA.summary")
        lam = self.sorted_loadings(cut) if sort else self.loadings_
        return pd.concat([lam, self.communalities_, self.uniquenesses_, self.complexity_], axis=1).loc[lam.index]

    def fit_lines(self) -> list[str]:
        """The fit lines psych prints, rounded for display only.

        Returns
        -------
        list of str
            RMSR, TLI, RMSEA with its interval, BIC and the likelihood chi-square.
        """
        self._check_fitted("fit_lines()")
        f = self.fit_
        return [f"Root mean square of the residuals (RMSR) = {f.rms:.2f}",
                f"Tucker Lewis Index of factoring reliability = {f.tli:.3f}",
                f"RMSEA index = {f.rmsea:.3f} and the {100 * self._fitted_params['ci']:g} % confidence intervals are "
                f"{f.rmsea_low:.3f} {f.rmsea_high:.3f}",
                f"BIC = {f.bic:.2f}",
                f"chi square = {f.chi2:.2f} on {f.dof:.0f} degrees of freedom, p = {f.p_value:.3g}"]

    def _r_call(self) -> str:
        fp = self._fitted_params
        args = [f"nfactors = {fp['n_factors']}", f'fm = "{fp["method"]}"', f'rotate = "{fp["rotation"]}"']
        if fp["corr"] == "polychoric":
            args.append('cor = "poly"')
        if fp["scores"] != "regression":
            args.append(f'scores = "{fp["scores"]}"')
        if fp["n_obs"] is not None:
            args.append(f"n.obs = {fp['n_obs']}")
        if fp["ci"] != 0.9:
            args.append(f"alpha = {round(1 - fp['ci'], 12):g}")
        data = "na.omit(x)" if fp["missing"] == "listwise" else "x"
        return f"psych::fa({data}, {', '.join(args)})"

    def _make_result(self) -> EFAResult:
        fp = self._fitted_params
        kind = "oblique" if self.phi_ is not None and fp["rotation"] in OBLIQUE else "orthogonal"
        rot = "no rotation" if fp["rotation"] == "none" else f"{fp['rotation']} rotation ({kind})"
        n = "" if self.n_obs_ is None else f", n = {self.n_obs_}"
        notes = list(self._notes)
        notes.append(f"RMSEA interval: {100 * fp['ci']:g}% confidence (ci={fp['ci']:g}; psych's default alpha = .1 "
                     "is ci=0.9)")
        if self.n_obs_ is None:
            notes.append("no n_obs given with the correlation matrix: the chi-square based statistics are missing")
        notes.append(f"R equivalent: {self._r_call()}")
        return EFAResult(table=self.summary(), variance=self.variance_, phi=self.phi_, fit=self.fit_,
                         title=f"EFA: {fp['n_factors']} factor(s), {fp['method']} extraction, {rot}{n}", notes=notes)
