"""The fitted exploratory factor analysis object, :class:`EFA` (psych::fa in scikit-learn form)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..exceptions import FactorConvergenceWarning, HeywoodWarning
from ._data import as_correlation_frame, as_item_frame, is_correlation
from ._fa import PREFIX, fa_core, fa_stats
from .correlation import pairwise_counts, pearson, polychoric, require_complete
from .extraction import LOWER, METHODS
from .rotation import OBLIQUE, ROTATIONS

__all__ = ["EFA"]


class EFA:
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
    alpha : float
        1 - confidence level of the RMSEA interval (psych's default 0.1: a 90% CI).
    min_err, max_iter : principal-axis stopping rule (psych's defaults).

    Attributes
    ----------
    loadings_ : DataFrame
        Pattern loadings, items x factors, signed (positive column sums) and ordered by
        variance explained, named as psych names them (MR1.., ML1.., PA1..).
    phi_ : DataFrame or None
        Factor correlations for oblique rotations, aligned with ``loadings_``'s columns.
    structure_ : DataFrame
        Structure matrix ``loadings_ @ phi_`` (the loadings for orthogonal rotations).
    communalities_, uniquenesses_, complexity_ : Series
        psych's ``h2``, ``u2`` and ``com``.
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
    feature_names_in_, n_features_in_ :
        Item names and their number (scikit-learn's convention).

    Notes
    -----
    The common-factor model :math:`R = \\Lambda \\Phi \\Lambda' + \\Psi`. minres minimises
    :math:`\\sum_{i<j} (r_{ij} - \\hat r_{ij})^2`; ML minimises
    :math:`\\mathrm{tr}(\\hat\\Sigma^{-1}R) - \\log|\\hat\\Sigma^{-1}R| - p`. Fit statistics follow
    psych::fa.stats (chi-square with Bartlett's correction, TLI, RMSEA, BIC).

    References
    ----------
    Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality
    research (2.2.9). Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection
    algorithms and software for arbitrary rotation criteria in factor analysis.
    Educational and Psychological Measurement, 65, 676-696.

    R equivalent: ``psych::fa(x, nfactors, fm = "minres", rotate = "oblimin")``.

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

    #: psych's lower bound on uniquenesses in minres/ML; a uniqueness there is a Heywood case
    UNIQUENESS_BOUND = LOWER

    def __init__(self, n_factors: int = 1, method: str = "minres", rotation: str = "oblimin", *, corr: str = "pearson",
                 missing: str = "pairwise", n_obs: int | None = None, scores: str = "regression", alpha: float = 0.1,
                 min_err: float = 0.001, max_iter: int = 50):
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.corr = corr
        self.missing = missing
        self.n_obs = n_obs
        self.scores = scores
        self.alpha = alpha
        self.min_err = min_err
        self.max_iter = max_iter

    # scikit-learn's parameter protocol
    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("n_factors", "method", "rotation", "corr", "missing", "n_obs", "scores",
                                              "alpha", "min_err", "max_iter")}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"EFA has no parameter {key!r}; valid: {sorted(self.get_params())}.")
            setattr(self, key, value)
        return self

    def _check_params(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS} (got {self.method!r}).")
        if self.rotation not in ROTATIONS:
            raise ValueError(f"rotation must be one of {ROTATIONS} (got {self.rotation!r}).")
        if self.corr not in ("pearson", "polychoric"):
            raise ValueError(f"corr must be 'pearson' or 'polychoric' (got {self.corr!r}).")
        if self.missing not in ("pairwise", "listwise"):
            raise ValueError(f"missing must be 'pairwise' or 'listwise' (got {self.missing!r}).")
        if self.scores not in ("regression", "Bartlett"):
            raise ValueError(f"scores must be 'regression' or 'Bartlett' (got {self.scores!r}).")
        if not isinstance(self.n_factors, (int, np.integer)) or self.n_factors < 1:
            raise ValueError(f"n_factors must be a positive integer (got {self.n_factors!r}).")

    def fit(self, X, y=None):
        """Fit to item responses (rows = respondents) or to a correlation matrix.

        Returns
        -------
        self
        """
        self._check_params()
        np_obs = None
        if is_correlation(X):
            r = as_correlation_frame(X)
            n_obs = self.n_obs
        else:
            x = as_item_frame(X)
            if self.missing == "listwise":
                x = x.dropna()
            n_obs = len(x)
            np_obs = pairwise_counts(x).to_numpy()
            r = polychoric(x).rho_ if self.corr == "polychoric" else pearson(x)
        p = r.shape[0]
        k = int(self.n_factors)
        if k >= p:
            raise ValueError(f"n_factors={k} is too many for {p} items; use at most {p - 1}.")
        names = list(r.index)
        require_complete(r)  # missing='listwise' is no remedy: it would leave no complete row
        a = r.to_numpy()
        core = fa_core(a, k, self.method, self.rotation, min_err=self.min_err, max_iter=self.max_iter)
        lam, phi, fnames = core["loadings"], core["phi"], core["names"]
        st = fa_stats(a, lam, phi, n_obs, np_obs, alpha=self.alpha)
        ext = core["extraction"]

        self.corr_ = r
        self.n_obs_ = n_obs
        self.loadings_ = pd.DataFrame(lam, index=names, columns=fnames)
        self.unrotated_loadings_ = pd.DataFrame(core["unrotated"], index=names,
                                                columns=[f"{PREFIX[self.method]}{i + 1}" for i in range(k)])
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
        self.weights_ = pd.DataFrame(self._weights(lam, phi_, a, st), index=names, columns=fnames)
        self.score_r2_ = pd.Series(np.diag(self.weights_.to_numpy().T @ (lam @ phi_)), index=fnames, name="r2")
        self.converged_ = bool(ext.converged and core["rotation"].converged)
        self.n_iter_ = ext.iterations
        heywood = {names[i] for i in ext.at_bound} | set(self.communalities_.index[self.communalities_ >= 1])
        self.heywood_ = [n for n in names if n in heywood]
        self.feature_names_in_ = np.array(names, dtype=object)
        self.n_features_in_ = p
        if not ext.converged:
            warnings.warn(f"{self.method} extraction did not converge: {ext.message}.", FactorConvergenceWarning, stacklevel=2)
        if self.heywood_:
            warnings.warn(
                f"Heywood case: items {self.heywood_} have a uniqueness at the 0.005 bound or a communality >= 1 "
                f"(communalities {self.communalities_[self.heywood_].round(3).to_dict()}). The solution is improper: "
                "try fewer factors, another method, or check those items.",
                HeywoodWarning,
                stacklevel=2,
            )
        return self

    def _weights(self, lam, phi_, a, st):
        if self.scores == "regression":
            return st["weights"]
        h2 = np.diag(lam @ phi_ @ lam.T)
        inv_u2 = 1 / (1 - h2)
        lw = lam * inv_u2[:, None]
        return lw @ np.linalg.inv(lam.T @ lw)

    def _check_fitted(self):
        if not hasattr(self, "loadings_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This EFA is not fitted yet; call fit(data) first.")

    def transform(self, X) -> pd.DataFrame:
        """Factor scores (``scores`` method) of item responses, standardised with X's own means and SDs.

        Rows with a missing answer get NaN scores (psych's default, ``impute="none"``).
        The index of ``X`` is kept.
        """
        self._check_fitted()
        x = as_item_frame(X)
        missing_cols = [c for c in self.loadings_.index if c not in x.columns]
        if missing_cols:
            raise ValueError(f"X lacks the fitted item columns {missing_cols}; pass the same items as at fit.")
        x = x[list(self.loadings_.index)]
        z = (x - x.mean()) / x.std(ddof=1)
        return pd.DataFrame(z.to_numpy() @ self.weights_.to_numpy(), index=x.index, columns=self.loadings_.columns)

    def fit_transform(self, X, y=None) -> pd.DataFrame:
        return self.fit(X).transform(X)

    def sorted_loadings(self, cut: float = 0.0) -> pd.DataFrame:
        """Loadings with items grouped by their largest loading (psych::fa.sort), small ones blanked below ``cut``."""
        self._check_fitted()
        lam = self.loadings_
        top = lam.abs().to_numpy().argmax(axis=1)
        size = lam.abs().to_numpy().max(axis=1)
        order = np.lexsort((-size, top))
        out = lam.iloc[order]
        return out.where(out.abs() >= cut) if cut > 0 else out

    def summary(self, cut: float = 0.0, sort: bool = True) -> pd.DataFrame:
        """psych's printed table: loadings (sorted like fa.sort), h2, u2 and complexity per item."""
        self._check_fitted()
        lam = self.sorted_loadings(cut) if sort else self.loadings_
        return pd.concat([lam, self.communalities_, self.uniquenesses_, self.complexity_], axis=1).loc[lam.index]

    def fit_lines(self) -> list[str]:
        """psych's fit lines, rounded for display only."""
        f = self.fit_
        lines = [f"Root mean square of the residuals (RMSR) = {f.rms:.2f}",
                 f"Tucker Lewis Index of factoring reliability = {f.tli:.3f}",
                 f"RMSEA index = {f.rmsea:.3f} and the {100 * (1 - self.alpha):.0f} % confidence intervals are "
                 f"{f.rmsea_low:.3f} {f.rmsea_high:.3f}",
                 f"BIC = {f.bic:.2f}",
                 f"chi square = {f.chi2:.2f} on {f.dof:.0f} degrees of freedom, p = {f.p_value:.3g}"]
        return lines

    def __repr__(self) -> str:
        return (f"EFA(n_factors={self.n_factors}, method={self.method!r}, rotation={self.rotation!r}"
                + (f", corr={self.corr!r}" if self.corr != "pearson" else "") + ")")

    def _repr_html_(self) -> str:
        if not hasattr(self, "loadings_"):
            return f"<pre>{self!r} (not fitted)</pre>"
        parts = [f"<p><b>EFA</b>: {self.n_factors} factor(s), {self.method}, {self.rotation} rotation, "
                 f"n = {self.n_obs_}</p>", self.summary().round(2).to_html(na_rep=""),
                 self.variance_.round(2).to_html()]
        if self.phi_ is not None and self.rotation in OBLIQUE:
            parts.append("<p>Factor correlations</p>" + self.phi_.round(2).to_html())
        parts.append("<p>" + "<br>".join(self.fit_lines()) + "</p>")
        if self.heywood_:
            parts.append(f"<p><b>Heywood case</b>: {', '.join(self.heywood_)}</p>")
        return "".join(parts)

