"""The normal-theory discrepancy of a model, its gradient, information matrices and casewise scores.

Parameters live on three levels: the *table* (every row of the parameter table), the *free* vector ``x``
(rows with ``free > 0``, lavaan's ``nx.free``) and the *reduced* vector ``z`` that the optimiser moves,
``x = x0 + K z``, which carries the equality constraints (equal labels, ``group_equal`` and linear ``==``
constraints). Everything returned here is with respect to ``z`` unless said otherwise.

The discrepancy is lavaan's ``fmin``: for complete data (``ML``) the weighted sum over groups of

    f_g = 1/2 [log|Sigma| + tr(S Sigma^-1) - log|S| - p + (ybar - mu)' Sigma^-1 (ybar - mu)],

weights n_g / N; for incomplete data (``FIML``) minus the casewise log-likelihood over 2 N_g, less its
saturated value. chi2 = 2 N fmin in both cases.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import lapack

from .matrices import LisrelModel

__all__ = ["Problem"]

_LOG2PI = np.log(2 * np.pi)


def pattern_inverses(sigma: np.ndarray, patterns: list):
    """(log|Sigma_oo|, Sigma_oo^-1, extra) of every missing-data pattern, from one inverse of Sigma.

    With T = Sigma^-1 and m the missing variables: Sigma_oo^-1 = T_oo - T_om T_mm^-1 T_mo and
    |Sigma_oo| = |Sigma| |T_mm| (Schur complements), so a pattern costs O(p^2 k) for k missing variables
    instead of O(p^3). ``extra`` is ``(m, T_mm^-1)`` (None for a complete pattern). None when Sigma is not
    positive definite.
    """
    ci = chol_inverse(sigma)
    if ci is None:
        return None
    logdet, T = ci
    out = []
    for pat in patterns:
        m = pat.missing
        if m is None or m.size == 0:
            out.append((logdet, T, None))
            continue
        Tmm = pat.take(T, "mm")
        cm = chol_inverse(Tmm)
        if cm is None:
            return None
        Tom = pat.take(T, "om")
        Si = pat.take(T, "oo") - Tom @ cm[1] @ Tom.T
        out.append((logdet + cm[0], Si, (m, cm[1])))
    return out


def chol_inverse(S: np.ndarray):
    """(log|S|, S^-1) of a symmetric matrix by Cholesky, or None when it is not positive definite."""
    if S.shape[0] == 1:
        v = S[0, 0]
        return (float(np.log(v)), np.array([[1.0 / v]])) if v > 0 else None
    if S.shape[0] == 2:
        a, b, d = S[0, 0], S[0, 1], S[1, 1]
        det = a * d - b * b
        if a <= 0 or det <= 0:
            return None
        return float(np.log(det)), np.array([[d, -b], [-b, a]]) / det
    c, info = lapack.dpotrf(S, lower=1)
    if info != 0:
        return None
    d = np.diag(c)
    if np.any(d <= 0):
        return None
    logdet = 2.0 * np.log(d).sum()
    inv, info = lapack.dpotri(c, lower=1)
    if info != 0:
        return None
    inv += inv.T          # dpotri fills the lower triangle; the upper one is zero (dpotrf cleaned it)
    inv.flat[:: S.shape[0] + 1] *= 0.5
    return logdet, inv


class Problem:
    """A model, its data and its constraints: the function the estimators minimise.

    Parameters
    ----------
    model : LisrelModel
    stats : list of GroupStats
    values : ndarray
        Fixed values for every table row (free rows are overwritten from ``z``).
    K, x0 : ndarray
        ``x = x0 + K z`` (see the module docstring).
    fiml : bool
        Casewise likelihood over missing-data patterns.
    meanstructure : bool
        Means are modelled (otherwise the sample means are the saturated means).
    """

    def __init__(self, model: LisrelModel, stats: list, values: np.ndarray, K: np.ndarray, x0: np.ndarray, *,
                 fiml: bool = False, meanstructure: bool = True):
        self.model = model
        self.stats = stats
        self.base = np.asarray(values, dtype=float).copy()
        pt = model.partable
        self.free_rows = np.flatnonzero(pt["free"].to_numpy() > 0)
        order = np.argsort(pt["free"].to_numpy()[self.free_rows])
        self.free_rows = self.free_rows[order]
        self.K = K
        self.x0 = x0
        self.fiml = fiml
        self.meanstructure = meanstructure
        self.N = sum(s.n for s in stats)
        self.weights = np.array([s.n / self.N for s in stats])
        self._group_rows = [self.free_rows[model.group[self.free_rows] == g] for g in range(model.ngroups)]
        self._group_cols = [np.flatnonzero(model.group[self.free_rows] == g) for g in range(model.ngroups)]

    # -- parameters ---------------------------------------------------------------------------------
    @property
    def nx(self) -> int:
        return self.free_rows.size

    @property
    def nz(self) -> int:
        return self.K.shape[1]

    def x_of(self, z) -> np.ndarray:
        return self.x0 + self.K @ z

    def values(self, z) -> np.ndarray:
        v = self.base.copy()
        v[self.free_rows] = self.x_of(z)
        return v

    def implied(self, z):
        v = self.values(z)
        return [self.model.implied(v, g) for g in range(self.model.ngroups)]

    # -- discrepancy --------------------------------------------------------------------------------
    def _group_terms(self, imp, st, want_grad: bool):
        """f_g and (dF/dSigma, dF/dmu) of one group (None when Sigma is not positive definite)."""
        p = self.model.p
        if not self.fiml or st.complete:
            ci = chol_inverse(imp.sigma)
            if ci is None:
                return None
            logdet, Si = ci
            if self.meanstructure:
                d = st.mean - imp.mu
                W = st.cov + np.outer(d, d)
            else:
                d = np.zeros(p)
                W = st.cov
            f = 0.5 * (logdet + np.sum(W * Si) - st.logdet - p)
            if not want_grad:
                return f, None, None
            G = 0.5 * (Si - Si @ W @ Si)
            gmu = -Si @ d if self.meanstructure else np.zeros(p)
            return f, G, gmu
        inv = pattern_inverses(imp.sigma, st.patterns)
        if inv is None:
            return None
        total = 0.0
        G = np.zeros((p, p))
        gmu = np.zeros(p)
        for pat, (logdet, Si, _) in zip(st.patterns, inv):
            o = pat.observed
            d = pat.mean - imp.mu[o]
            W = pat.cov + np.outer(d, d)
            total += pat.n * (o.size * _LOG2PI + logdet + np.sum(W * Si))
            if want_grad:
                w = pat.n / st.n
                if pat.n < o.size:   # Si W Si from the rows: rank n
                    V = Si @ (pat.Y - imp.mu[o]).T
                    SWS = V @ V.T / pat.n
                else:
                    SWS = Si @ W @ Si
                G[np.ix_(o, o)] += 0.5 * w * (Si - SWS)
                gmu[o] += -w * (Si @ d)
        # -2 loglik / n (with 2 pi) less the saturated value, halved: lavaan's fmin for FIML
        f = 0.5 * (total / st.n + 2 * st.h1_loglik / st.n)
        return f, G, gmu

    def objective(self, z) -> float:
        imps = self.implied(z)
        total = 0.0
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            out = self._group_terms(imp, st, False)
            if out is None:
                return np.inf
            total += self.weights[g] * out[0]
        return float(total)

    def objective_gradient(self, z):
        """fmin and its gradient in ``z`` (inf and zeros outside the admissible region)."""
        imps = self.implied(z)
        total = 0.0
        gx = np.zeros(self.nx)
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            out = self._group_terms(imp, st, True)
            if out is None:
                return np.inf, np.zeros(self.nz)
            f, G, gmu = out
            total += self.weights[g] * f
            rows, cols = self._group_rows[g], self._group_cols[g]
            a, b, dmu, _ = self.model.derivatives(imp, rows)
            gx[cols] += self.weights[g] * (2 * np.sum((a @ G) * b, axis=1) + dmu @ gmu)
        return float(total), self.K.T @ gx

    # -- information --------------------------------------------------------------------------------
    def scoring_information(self, z):
        """The information Fisher scoring steps with (in ``z``): the expected information, except for FIML
        with many missing-data patterns, where the complete-data information at the implied moments stands
        in for it (convergence stays fast when little information is missing; the Newton steps finish)."""
        if self.fiml and any(len(st.patterns) > 20 for st in self.stats):
            return self.K.T @ self.expected_information(z, approximate=True) @ self.K
        return self.K.T @ self.expected_information(z) @ self.K

    def expected_information(self, z, *, per_group: bool = False, approximate: bool = False):
        """Expected (Fisher) information of one observation, in ``x`` (nx x nx), weighted over groups.

        For FIML, the expected information of the observed parts of each pattern (lavaan's
        ``information = "expected"`` with ``h1.information = "structured"``).
        """
        imps = self.implied(z)
        total = np.zeros((self.nx, self.nx))
        groups = []
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            rows, cols = self._group_rows[g], self._group_cols[g]
            a, b, dmu, _ = self.model.derivatives(imp, rows)
            info = np.zeros((rows.size, rows.size))
            if not self.fiml or st.complete or approximate:
                parts = [(np.arange(self.model.p), 1.0)]
            else:
                parts = [(pat.observed, pat.n / st.n) for pat in st.patterns]
            for o, w in parts:
                Si = np.linalg.inv(imp.sigma[np.ix_(o, o)])
                ao, bo = a[:, o], b[:, o]
                aS, bS = ao @ Si, bo @ Si
                Paa, Pbb, Pab = aS @ ao.T, bS @ bo.T, aS @ bo.T
                info += w * (Paa * Pbb + Pab * Pab.T)
                if self.meanstructure:
                    info += w * (dmu[:, o] @ Si @ dmu[:, o].T)
            full = np.zeros((self.nx, self.nx))
            full[np.ix_(cols, cols)] = info
            groups.append(full)
            total += self.weights[g] * full
        return (total, groups) if per_group else total

    def _parts(self, imp, st):
        """(observed indices, weight within the group, W = S + dd', d) per pattern (one for complete data)."""
        if not self.fiml or st.complete:
            p = self.model.p
            if self.meanstructure:
                d = st.mean - imp.mu
                W = st.cov + np.outer(d, d)
            else:
                d, W = np.zeros(p), st.cov
            return [(np.arange(p), 1.0, W, d)]
        out = []
        for pat in st.patterns:
            d = pat.mean - imp.mu[pat.observed]
            out.append((pat.observed, pat.n / st.n, pat.cov + np.outer(d, d), d))
        return out

    def _pattern_products(self, imp, st, a, b, dmu):
        """Per pattern: (share of rows, observed indices, Si, M = Si W Si, d, products), the products being
        X_o Si Y_o' (P1) and X_o M Y_o' (P2) for X, Y in the rank-2 factors a, b (and dmu), and a_o Si d,
        b_o Si d. For incomplete patterns P1 comes from the complete-data products by rank-k corrections
        and P2 from the rows (W has rank n_p), so a pattern costs O(q^2 (k + n_p)) instead of O(q^2 p)."""
        p = self.model.p
        if not self.fiml or st.complete:
            ci = chol_inverse(imp.sigma)
            Si = ci[1]
            o = np.arange(p)
            d, W = (st.mean - imp.mu, None) if self.meanstructure else (np.zeros(p), None)
            W = st.cov + np.outer(d, d)
            M = Si @ W @ Si
            AS, BS, MS = a @ Si, b @ Si, dmu @ Si
            AM, BM = a @ M, b @ M
            P = (AS @ a.T, BS @ b.T, AS @ b.T, MS @ dmu.T, AS @ dmu.T, BS @ dmu.T, AM @ a.T, BM @ b.T, AM @ b.T,
                 AS @ d, BS @ d)
            yield 1.0, o, Si, M, d, P
            return
        inv = pattern_inverses(imp.sigma, st.patterns)
        T = chol_inverse(imp.sigma)[1]
        XT = {"a": a @ T, "b": b @ T, "m": dmu @ T}
        X = {"a": a, "b": b, "m": dmu}
        full = {k: XT[k[0]] @ X[k[1]].T for k in ("aa", "bb", "ab", "mm", "am", "bm")}
        for pat, (_, Si, extra) in zip(st.patterns, inv):
            o = pat.observed
            w = pat.n / st.n
            d = pat.mean - imp.mu[o]
            if extra is None:
                P1 = full
            else:
                m, Tmm_inv = extra
                Tmm = pat.take(T, "mm")
                Xm = {k: v[:, m] for k, v in X.items()}
                XTm = {k: v[:, m] for k, v in XT.items()}
                C = {k: XTm[k] - Xm[k] @ Tmm for k in X}
                CTi = {k: C[k] @ Tmm_inv for k in X}
                P1 = {}
                for key in ("aa", "bb", "ab", "mm", "am", "bm"):
                    x, y = key
                    P1[key] = full[key] - Xm[x] @ C[y].T - XTm[x] @ Xm[y].T - CTi[x] @ C[y].T
            R = pat.Y - imp.mu[o]
            if pat.n < o.size:
                V = Si @ R.T                              # o x n
                M = V @ V.T / pat.n
                VA, VB = a[:, o] @ V, b[:, o] @ V         # q x n
                P2aa, P2bb, P2ab = VA @ VA.T / pat.n, VB @ VB.T / pat.n, VA @ VB.T / pat.n
                ea, eb = VA.mean(axis=1), VB.mean(axis=1)
            else:
                W = pat.cov + np.outer(d, d)
                M = Si @ W @ Si
                Ao, Bo = a[:, o], b[:, o]
                AM, BM = Ao @ M, Bo @ M
                P2aa, P2bb, P2ab = AM @ Ao.T, BM @ Bo.T, AM @ Bo.T
                Sd = Si @ d
                ea, eb = Ao @ Sd, Bo @ Sd
            P = (P1["aa"], P1["bb"], P1["ab"], P1["mm"], P1["am"], P1["bm"], P2aa, P2bb, P2ab, ea, eb)
            yield w, o, Si, M, d, P

    def observed_information(self, z, *, reuse: float = 0.0) -> np.ndarray:
        """Analytic Hessian of fmin in ``z`` (lavaan's observed information, ``"hessian"``); with ``reuse`` > 0
        the last one computed is returned when its ``z`` is that close (largest absolute difference).

        Per pattern, with Si = Sigma_oo^-1, W = S + dd' and M = Si W Si, the moment part is
        1/2 [-tr(Si dS_l Si dS_k) + 2 tr(M dS_l Si dS_k)] + mean terms, contracted in the rank-2 form of the
        derivatives; the part with the model's second derivatives is the change of g'(d sigma/d theta) with
        the moment gradient g held fixed, by central differences (it needs no data).
        """
        last = getattr(self, "_hessian_cache", None)
        if reuse > 0 and last is not None and last[0].shape == np.shape(z) and np.max(np.abs(last[0] - z)) <= reuse:
            return last[1]
        imps = self.implied(z)
        values = self.values(z)
        Hx = np.zeros((self.nx, self.nx))
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            rows, cols = self._group_rows[g], self._group_cols[g]
            if rows.size == 0:
                continue
            a, b, dmu, _ = self.model.derivatives(imp, rows)
            H = np.zeros((rows.size, rows.size))
            p = self.model.p
            Gfull = np.zeros((p, p))
            gfull = np.zeros(p)
            for w, o, Si, M, d, P in self._pattern_products(imp, st, a, b, dmu):
                P1aa, P1bb, P1ab, P1mm, P1am, P1bm, P2aa, P2bb, P2ab, ea, eb = P
                T1 = 2 * (P1aa * P1bb + P1ab * P1ab.T)
                T2 = P1ab * P2ab.T + P1bb * P2aa + P1aa * P2bb + P1ab.T * P2ab
                H += 0.5 * w * (-T1 + 2 * T2)
                Gfull[np.ix_(o, o)] += 0.5 * w * (Si - M)
                if self.meanstructure:
                    H += w * P1mm
                    C = ea[:, None] * P1bm + eb[:, None] * P1am
                    H += w * (C + C.T)
                    gfull[o] += -w * (Si @ d)
            # the model's second derivatives, with the moment gradient held fixed
            S2 = np.zeros_like(H)
            for j, row in enumerate(rows):
                h = 1e-6 * max(1.0, abs(values[row]))
                out = []
                for s in (h, -h):
                    v = values.copy()
                    v[row] += s
                    im = self.model.implied(v, g)
                    aa, bb, mm, _ = self.model.derivatives(im, rows)
                    out.append(2 * np.sum((aa @ Gfull) * bb, axis=1) + (mm @ gfull if self.meanstructure else 0.0))
                S2[:, j] = (out[0] - out[1]) / (2 * h)
            H += (S2 + S2.T) / 2
            Hx[np.ix_(cols, cols)] += self.weights[g] * H
        out = self.K.T @ Hx @ self.K
        self._hessian_cache = (np.array(z, dtype=float), out)
        return out

    def hessian(self, z, *, h: float = 1e-5) -> np.ndarray:
        """Hessian of fmin in ``z``: central differences of the analytic gradient (Richardson, O(h^4))."""
        n = self.nz
        H = np.empty((n, n))
        for i in range(n):
            e = np.zeros(n)
            step = h * max(1.0, abs(z[i]))
            e[i] = step
            g1 = self.objective_gradient(z + e)[1]
            g2 = self.objective_gradient(z - e)[1]
            g3 = self.objective_gradient(z + 2 * e)[1]
            g4 = self.objective_gradient(z - 2 * e)[1]
            H[:, i] = (8 * (g1 - g2) - (g3 - g4)) / (12 * step)
        return (H + H.T) / 2

    # -- casewise scores ----------------------------------------------------------------------------
    def casewise_scores(self, z) -> list:
        """Per group, the rows x nx matrix of d(log-likelihood of the row)/dx at the implied moments.

        Complete data without a mean structure use the sample means (lavaan's MLR with
        ``meanstructure = FALSE``); with missing values each row uses its observed variables.
        """
        imps = self.implied(z)
        out = []
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            rows, cols = self._group_rows[g], self._group_cols[g]
            a, b, dmu, _ = self.model.derivatives(imp, rows)
            SC = np.zeros((st.n, self.nx))
            mu = imp.mu if self.meanstructure else st.mean
            if not self.fiml or st.complete:
                parts = [(np.arange(self.model.p), np.arange(st.n))]
            else:
                parts = [(pat.observed, pat.rows) for pat in st.patterns]
            for o, r in parts:
                Si = np.linalg.inv(imp.sigma[np.ix_(o, o)])
                R = st.X[np.ix_(r, o)] - mu[o]
                RS = R @ Si
                U, V = RS @ a[:, o].T, RS @ b[:, o].T
                const = np.einsum("kp,pq,kq->k", a[:, o], Si, b[:, o])
                sc = U * V - const
                if self.meanstructure:
                    sc = sc + RS @ dmu[:, o].T
                SC[np.ix_(r, cols)] = sc
            out.append(SC)
        return out

    def loglik(self, z) -> float:
        """Log-likelihood of the model (with the 2 pi constant), summed over groups."""
        imps = self.implied(z)
        total = 0.0
        for imp, st in zip(imps, self.stats):
            if not self.fiml or st.complete:
                p = self.model.p
                sign, logdet = np.linalg.slogdet(imp.sigma)
                if sign <= 0:
                    return -np.inf
                Si = np.linalg.inv(imp.sigma)
                W = st.cov.copy()
                if self.meanstructure:
                    d = st.mean - imp.mu
                    W = W + np.outer(d, d)
                total += -0.5 * st.n * (p * _LOG2PI + logdet + np.sum(W * Si))
            else:
                for pat in st.patterns:
                    o = pat.observed
                    S = imp.sigma[np.ix_(o, o)]
                    sign, logdet = np.linalg.slogdet(S)
                    if sign <= 0:
                        return -np.inf
                    Si = np.linalg.inv(S)
                    d = pat.mean - imp.mu[o]
                    total += -0.5 * pat.n * (o.size * _LOG2PI + logdet + np.sum((pat.cov + np.outer(d, d)) * Si))
        return float(total)
