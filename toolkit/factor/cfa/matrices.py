"""Model matrices, implied moments and their derivatives (lavaan's LISREL representation).

Per group: ``Lambda`` (p x m loadings), ``Theta`` (p x p residual covariances), ``Psi`` (m x m factor
(residual) covariances), ``Beta`` (m x m regressions among factors), ``nu`` (p intercepts), ``alpha`` (m
factor means/intercepts) and ``tau`` (thresholds). The implied moments are

    Sigma = Lambda A Psi A' Lambda' + Theta,    mu = nu + Lambda A alpha,    A = (I - Beta)^-1.

Observed variables that take part in regressions (``~``) get a *phantom* factor with a loading of 1 and a
residual variance of 0, as lavaan does, so that their regressions live in ``Beta`` and their (residual)
variances in ``Psi``; the implied moments are the same.

Every free parameter moves Sigma by a symmetric rank-2 matrix ``a b' + b a'``; the derivatives are kept
in that form (``a``, ``b``: q x p) because it makes the gradient (2 a'Gb), the expected information
(``(a Si a') * (b Si b') + (a Si b') * (a Si b')'``) and the Jacobian of vech(Sigma) cheap. For ordinal
indicators (lavaan's delta parameterization, one group) the residual variances are not parameters: they
are set to ``1 - diag(Lambda A Psi A' Lambda')`` so that Sigma is a correlation matrix, and the implied
thresholds are ``tau - mu``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...exceptions import ModelSpecificationError
from .partable import variable_sets

__all__ = ["LisrelModel", "Implied"]

LAMBDA, THETA, PSI, BETA, NU, ALPHA, TAU, DELTA = range(8)
MATRIX_NAMES = ("lambda", "theta", "psi", "beta", "nu", "alpha", "tau", "delta")


@dataclass
class Implied:
    """Implied moments of one group, with the pieces the derivatives need."""

    sigma: np.ndarray
    mu: np.ndarray
    tau: np.ndarray
    lam: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    beta: np.ndarray
    nu: np.ndarray
    alpha: np.ndarray
    A: np.ndarray          # (I - B)^-1
    L: np.ndarray          # Lambda A
    LM: np.ndarray         # Lambda A Psi A'
    Aalpha: np.ndarray     # A alpha
    lv_cov: np.ndarray     # A Psi A' (total factor covariance)
    delta: np.ndarray      # scale factors of the observed variables (1 unless ordinal, ~*~)

    @property
    def fitted(self) -> np.ndarray:
        """What is fitted to the sample's moments: ``D Sigma D`` (``D = diag(delta)``), the latent responses'
        correlations for ordinal indicators; Sigma itself when every scale factor is 1 (continuous ones)."""
        return self.sigma * np.outer(self.delta, self.delta)


class LisrelModel:
    """The matrices of a parameter table and the map from free parameters to implied moments.

    Parameters
    ----------
    partable : DataFrame
        A table as :func:`~toolkit.factor.cfa.partable.parameter_table` makes it.
    ordered : sequence of str
        Ordinal observed variables (delta parameterization).
    ov_order : sequence of str, optional
        Order of the observed variables (default: lavaan's order of appearance in the table).
    """

    def __init__(self, partable: pd.DataFrame, *, ordered=(), ov_order=None):
        pt = partable.reset_index(drop=True)
        self.partable = pt
        lhs_a, op_a, rhs_a = pt["lhs"].to_numpy(), pt["op"].to_numpy(), pt["rhs"].to_numpy()
        grp_a = pt["group"].to_numpy()
        rows = list(zip(lhs_a.tolist(), op_a.tolist(), rhs_a.tolist()))
        vs = variable_sets(rows, ordered=ordered, fixed_x=True)
        if "exo" in pt.columns:  # covariates count as fixed (fixed.x) only where the table fixes them
            fixed = set(lhs_a[pt["exo"].to_numpy() == 1].tolist())
            vs.ov_x = [v for v in vs.ov_x if v in fixed]
        self.vsets = vs
        self.ov_names = list(vs.ov) if ov_order is None else [v for v in ov_order if v in set(vs.ov)]
        self.lv_names = list(vs.lv)
        self.ordered = [v for v in self.ov_names if v in set(vs.ov_ord)]
        self.ngroups = int(grp_a.max()) if len(pt) else 1
        dummies = self._dummies(rows)
        self.dummies = [v for v in self.ov_names if v in dummies]
        self.lat_names = self.lv_names + self.dummies
        self.p, self.m = len(self.ov_names), len(self.lat_names)
        self.meanstructure = bool((op_a == "~1").any()) or bool(self.ordered)
        ov_pos = {v: i for i, v in enumerate(self.ov_names)}
        lat_pos = {v: i for i, v in enumerate(self.lat_names)}
        self.ov_pos, self.lat_pos = ov_pos, lat_pos
        th_rows = np.flatnonzero((op_a == "|") & (grp_a == 1))
        self.th_names = [f"{lhs_a[i]}|{rhs_a[i]}" for i in th_rows]
        self.th_var = np.array([ov_pos[lhs_a[i]] for i in th_rows], dtype=int)
        th_pos = {name: k for k, name in enumerate(self.th_names)}

        def lat(v):
            return lat_pos[v]

        mat = np.full(len(pt), -1)
        ri = np.zeros(len(pt), dtype=int)
        ci = np.zeros(len(pt), dtype=int)
        for k, (a, op, b) in enumerate(rows):
            if op == "=~":
                if b in lat_pos:   # factor indicator, or an observed variable with a phantom factor
                    mat[k], ri[k], ci[k] = BETA, lat(b), lat(a)
                else:
                    mat[k], ri[k], ci[k] = LAMBDA, ov_pos[b], lat(a)
            elif op == "~":
                if a not in lat_pos or b not in lat_pos:
                    raise ModelSpecificationError(f"cannot place the regression {a} ~ {b}")
                mat[k], ri[k], ci[k] = BETA, lat(a), lat(b)
            elif op == "~~":
                if a in lat_pos and b in lat_pos:
                    mat[k], ri[k], ci[k] = PSI, lat(a), lat(b)
                elif a in ov_pos and b in ov_pos:
                    mat[k], ri[k], ci[k] = THETA, ov_pos[a], ov_pos[b]
                else:
                    raise ModelSpecificationError(f"cannot place the covariance {a} ~~ {b}: an observed variable "
                                                  "and a factor")
            elif op == "~1":
                if a in lat_pos:
                    mat[k], ri[k] = ALPHA, lat(a)
                else:
                    mat[k], ri[k] = NU, ov_pos[a]
            elif op == "|":
                mat[k], ri[k] = TAU, th_pos[f"{a}|{b}"]
            elif op == "~*~":
                if a != b or a not in ov_pos:
                    raise ModelSpecificationError(f"a scale factor ~*~ is of one observed variable; got {a} ~*~ {b}")
                mat[k], ri[k] = DELTA, ov_pos[a]
            else:
                raise ModelSpecificationError(f"operator {op!r} has no place in the model matrices")
        self.mat, self.ri, self.ci = mat, ri, ci
        self.group = grp_a.astype(int) - 1
        self._dummy_ov = np.array([ov_pos[v] for v in self.dummies], dtype=int)
        self._dummy_lat = np.array([lat_pos[v] for v in self.dummies], dtype=int)
        self._ord_idx = np.array([ov_pos[v] for v in self.ordered], dtype=int)
        # rows per group and matrix, for building matrices from a value vector
        self._slots = {}
        for g in range(self.ngroups):
            for M in range(8):
                idx = np.flatnonzero((self.group == g) & (mat == M))
                self._slots[g, M] = (idx, ri[idx], ci[idx])
        self.n_th = len(self.th_names)
        self._plans = {}

    @staticmethod
    def _dummies(rows) -> set:
        lv = {a for a, op, b in rows if op == "=~"}
        d = {v for a, op, b in rows if op == "~" for v in (a, b) if v not in lv}
        changed = True
        while changed:
            changed = False
            for a, op, b in rows:
                if op == "~~" and a != b:
                    for x, y in ((a, b), (b, a)):
                        if (x in d or x in lv) and y not in d and y not in lv:
                            d.add(y)
                            changed = True
        return d

    # -- building -----------------------------------------------------------------------------------
    def matrices(self, values: np.ndarray, g: int):
        """The model matrices of group ``g`` from the full value vector (one entry per table row)."""
        p, m = self.p, self.m
        lam = np.zeros((p, m))
        theta = np.zeros((p, p))
        psi = np.zeros((m, m))
        beta = np.zeros((m, m))
        nu = np.zeros(p)
        alpha = np.zeros(m)
        tau = np.zeros(self.n_th)
        idx, r, c = self._slots[g, LAMBDA]
        lam[r, c] = values[idx]
        if self._dummy_ov.size:
            lam[self._dummy_ov, self._dummy_lat] = 1.0
        idx, r, c = self._slots[g, THETA]
        theta[r, c] = values[idx]
        theta[c, r] = values[idx]
        idx, r, c = self._slots[g, PSI]
        psi[r, c] = values[idx]
        psi[c, r] = values[idx]
        idx, r, c = self._slots[g, BETA]
        beta[r, c] = values[idx]
        idx, r, _ = self._slots[g, NU]
        nu[r] = values[idx]
        idx, r, _ = self._slots[g, ALPHA]
        alpha[r] = values[idx]
        idx, r, _ = self._slots[g, TAU]
        tau[r] = values[idx]
        return lam, theta, psi, beta, nu, alpha, tau

    def scale_factors(self, values: np.ndarray, g: int) -> np.ndarray:
        """The scale factors (``~*~``) of group ``g``'s observed variables: 1 where the table has none."""
        delta = np.ones(self.p)
        idx, r, _ = self._slots[g, DELTA]
        delta[r] = values[idx]
        return delta

    def implied(self, values: np.ndarray, g: int) -> Implied:
        """Implied moments of group ``g``.

        For ordinal indicators (delta parameterization) ``sigma`` is the covariance matrix of the latent
        responses, whose variances are ``1 / delta**2`` (their residual variances ``1 / delta**2 - diag(Lambda A
        Psi A' Lambda')`` are not parameters), and ``tau`` the thresholds on the standardized responses,
        ``delta (tau - mu)``. What lavaan fits is then ``D sigma D`` (a correlation matrix, ``D = diag(delta)``)
        and ``tau``; with every scale factor 1 (one group, or thresholds free across groups) ``sigma`` is that
        correlation matrix itself.
        """
        lam, theta, psi, beta, nu, alpha, tau = self.matrices(values, g)
        m = self.m
        if np.any(beta):
            try:
                A = np.linalg.inv(np.eye(m) - beta)
            except np.linalg.LinAlgError:
                A = np.full((m, m), np.nan)
        else:
            A = np.eye(m)
        L = lam @ A
        lv_cov = A @ psi @ A.T
        LM = lam @ lv_cov
        sigma = LM @ lam.T
        delta = self.scale_factors(values, g)
        if self._ord_idx.size:
            theta = theta.copy()
            o = self._ord_idx
            theta[o, o] = 1.0 / delta[o] ** 2 - sigma[o, o]
        sigma = sigma + theta
        Aalpha = A @ alpha
        mu = nu + L @ alpha
        tau_impl = delta[self.th_var] * (tau - mu[self.th_var]) if self.n_th else tau
        return Implied(sigma=sigma, mu=mu, tau=tau_impl, lam=lam, theta=theta, psi=psi, beta=beta, nu=nu,
                       alpha=alpha, A=A, L=L, LM=LM, Aalpha=Aalpha, lv_cov=lv_cov, delta=delta)

    # -- derivatives --------------------------------------------------------------------------------
    def derivatives(self, imp: Implied, rows: np.ndarray):
        """dSigma, dmu, dtau of group ``imp`` with respect to the parameters in table rows ``rows``.

        Returns ``(a, b, dmu, dtau)``: dSigma_k = a_k b_k' + b_k a_k' (a, b: q x p), dmu (q x p), dtau
        (q x n_thresholds). Rows of another group or of another kind give zeros. For ordinal variables the
        diagonal of Sigma does not move (their residual variances absorb it): use the off-diagonal part. With
        scale factors (``~*~``) Sigma here is what is fitted, ``D Sigma D`` (see :meth:`implied`): ``a`` and
        ``b`` are scaled by ``delta``, and a scale factor of variable ``j`` moves the correlations of ``j``
        (``a = e_j``, ``b = delta * Sigma[:, j]``) and the thresholds of ``j`` (``tau - mu``).
        """
        q, p = len(rows), self.p
        plan = self._plan(rows)
        a = np.zeros((q, p))
        b = np.zeros((q, p))
        dmu = np.zeros((q, p))
        L, LM, Aa = imp.L, imp.LM, imp.Aalpha
        k, r, c = plan[LAMBDA]
        if k.size:
            a[k, r] = 1.0
            b[k] = LM[:, c].T
            dmu[k, r] = Aa[c]
        k, r, c, half = plan[THETA]
        if k.size:
            a[k, r] = 1.0
            b[k, c] += half
        k, r, c, half = plan[PSI]
        if k.size:
            a[k] = L[:, r].T
            b[k] = L[:, c].T * half[:, None]
        k, r, c = plan[BETA]
        if k.size:
            a[k] = L[:, r].T
            b[k] = LM[:, c].T
            dmu[k] = L[:, r].T * Aa[c][:, None]
        k, r, _ = plan[NU]
        if k.size:
            dmu[k, r] = 1.0
        k, r, _ = plan[ALPHA]
        if k.size:
            dmu[k] = L[:, r].T
        if self.n_th:
            dtau = np.zeros((q, self.n_th))
            k, r, _ = plan[TAU]
            dtau[k, r] = 1.0
            dtau -= dmu[:, self.th_var]
        else:
            dtau = None
        delta = imp.delta
        if np.any(delta != 1.0):  # scale factors other than 1 (a later group)
            a *= delta
            b *= delta
            if dtau is not None:
                dtau *= delta[self.th_var]
        k, r, _ = plan[DELTA]
        if k.size:
            a[k] = 0.0
            a[k, r] = 1.0
            b[k] = (imp.sigma[:, r] * delta[:, None]).T
            if dtau is not None:
                unscaled = imp.tau / delta[self.th_var]  # tau - mu
                dtau[k] = np.where(self.th_var[None, :] == r[:, None], unscaled[None, :], 0.0)
        return a, b, dmu, dtau

    def lv_variance_derivatives(self, imp: Implied, rows: np.ndarray) -> np.ndarray:
        """d diag(A Psi A') (the factors' total variances, q x m) in the parameters of table rows ``rows``
        (of this group): psi_rc moves it by 2 A_jr A_jc (A_jr^2 when r = c), beta_rc by 2 A_jr U_cj."""
        plan = self._plan(rows)
        A, U = imp.A, imp.lv_cov
        out = np.zeros((len(rows), self.m))
        k, r, c, half = plan[PSI]
        out[k] = 2 * half[:, None] * (A[:, r] * A[:, c]).T
        k, r, c = plan[BETA]
        out[k] = 2 * (A[:, r] * U[c].T).T
        return out

    def curvature(self, imp: Implied, rows: np.ndarray, G: np.ndarray, gmu: np.ndarray) -> np.ndarray:
        """Hessian of ``tr(G Sigma) + gmu' mu`` in the parameters of table rows ``rows`` (G symmetric, fixed).

        This is the part of a discrepancy's Hessian that comes from the model's second derivatives when G
        and gmu are its gradient in Sigma and mu. Only loadings, factor (co)variances, regressions among
        factors and factor means enter Sigma or mu nonlinearly. With A = (I - B)^-1, L = Lambda A,
        U = A Psi A' and LM = Lambda U, the derivatives of (L, LM, A alpha) along one parameter are

        - loading lambda_rc: dL = e_r A[c, :], dLM = e_r U[c, :];
        - psi_rc: dLM = L_r A_c' + L_c A_r' (one term when r = c);
        - beta_rc: dL = L_r A[c, :], dLM = L_r U[c, :] + LM_c A_r', d(A alpha) = A_r (A alpha)_c;
        - alpha_r: d(A alpha) = A_r;

        and the gradient entries 2 a_k' G b_k + dmu_k' gmu, being bilinear in (L, LM, A alpha), are
        differentiated along each of them (product rule). Not for ordinal indicators (their residual
        variances follow Sigma).
        """
        if self._ord_idx.size:
            raise NotImplementedError("the curvature of a model with ordinal indicators")
        q = len(rows)
        plan = self._plan(rows)
        p, m = self.p, self.m
        L, LM, Aa, A, U = imp.L, imp.LM, imp.Aalpha, imp.A, imp.lv_cov
        DL = np.zeros((q, p, m))
        DLM = np.zeros((q, p, m))
        DAa = np.zeros((q, m))
        k, r, c = plan[LAMBDA]
        DL[k, r] = A[c]
        DLM[k, r] = U[c]
        k, r, c, half = plan[PSI]
        if k.size:
            DLM[k] = L[:, r].T[:, :, None] * A[:, c].T[:, None, :]
            off = half == 1.0
            DLM[k[off]] += L[:, c[off]].T[:, :, None] * A[:, r[off]].T[:, None, :]
        k, r, c = plan[BETA]
        if k.size:
            DL[k] = L[:, r].T[:, :, None] * A[c][:, None, :]
            DLM[k] = L[:, r].T[:, :, None] * U[c][:, None, :] + LM[:, c].T[:, :, None] * A[:, r].T[:, None, :]
            DAa[k] = A[:, r].T * Aa[c][:, None]
        k, r, _ = plan[ALPHA]
        DAa[k] = A[:, r].T
        GL, GLM = G @ L, G @ LM
        # the tensors as p x (q m) matrices, so that each contraction is one matrix product
        DLt = DL.transpose(1, 0, 2).reshape(p, q * m)
        DLMt = DLM.transpose(1, 0, 2).reshape(p, q * m)
        S2 = np.zeros((q, q))
        k, r, c = plan[LAMBDA]
        if k.size:
            GDLM = (G @ DLMt).reshape(p, q, m)              # [r, j, c] = (G dLM_j)[r, c]
            S2[k] = 2 * GDLM[r, :, c] + gmu[r][:, None] * DAa[:, c].T
        k, r, c, half = plan[PSI]
        if k.size:
            Xm = (GL.T @ DLt).reshape(m, q, m)              # [r, j, c] = (L' G dL_j)[r, c]
            S2[k] = 2 * half[:, None] * (Xm[c, :, r] + Xm[r, :, c])
        k, r, c = plan[BETA]
        if k.size:
            Y = (GLM.T @ DLt).reshape(m, q, m)              # [c, j, r] = dL_j[:, r]' G LM[:, c]
            Z = (GL.T @ DLMt).reshape(m, q, m)              # [r, j, c] = (L' G dLM_j)[r, c]
            DLg = (gmu @ DLt).reshape(q, m)                 # dL_j' gmu
            Lg = L.T @ gmu
            S2[k] = 2 * (Y[c, :, r] + Z[r, :, c]) + (DLg[:, r] * Aa[c]).T + Lg[r][:, None] * DAa[:, c].T
        k, r, _ = plan[ALPHA]
        if k.size:
            S2[k] = (gmu @ DLt).reshape(q, m)[:, r].T
        return S2

    def _plan(self, rows):
        """Index arrays of ``rows`` by matrix (cached: the same row sets come back at every evaluation)."""
        key = rows.tobytes()
        plan = self._plans.get(key)
        if plan is None:
            mat, ri, ci = self.mat[rows], self.ri[rows], self.ci[rows]
            k = np.arange(len(rows))
            plan = {}
            for M in (LAMBDA, BETA, NU, ALPHA, TAU, DELTA):
                s = mat == M
                plan[M] = (k[s], ri[s], ci[s])
            for M in (THETA, PSI):
                s = mat == M
                plan[M] = (k[s], ri[s], ci[s], np.where(ri[s] == ci[s], 0.5, 1.0))
            self._plans[key] = plan
        return plan

