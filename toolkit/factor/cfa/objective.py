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

from .matrices import LisrelModel
from .patterns import chol_inverse, pattern_factors, stack_patterns

__all__ = ["Problem"]

_LOG2PI = np.log(2 * np.pi)


def _pair_products(X: np.ndarray, Y: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P[k, l] = tr(X A_k Y A_l) for symmetric X, Y and A_k = a_k b_k' + b_k a_k' (a, b: q x p).

    Expanding the rank-2 factors, P = XAB o YAB' + XAA o YBB + XBB o YAA + XAB' o YAB with XAB = a X b' etc.
    (o: elementwise product): four q x q products instead of q^2 traces.
    """
    Xa, Xb = a @ X, b @ X
    XAA, XAB, XBB = Xa @ a.T, Xa @ b.T, Xb @ b.T
    if Y is X:
        YAA, YAB, YBB = XAA, XAB, XBB
    else:
        Ya, Yb = a @ Y, b @ Y
        YAA, YAB, YBB = Ya @ a.T, Ya @ b.T, Yb @ b.T
    return XAB * YAB.T + XAA * YBB + XBB * YAA + XAB.T * YAB


def _mean_terms(S: np.ndarray, e: np.ndarray, a, b, dmu, w: float = 1.0) -> np.ndarray:
    """w dmu S dmu' + C + C' with C[l, k] = dmu_k' S A_l e: the mean part of a pattern's Hessian (e = S d)."""
    Sm = S @ dmu.T
    C = (a @ Sm) * (b @ e)[:, None] + (b @ Sm) * (a @ e)[:, None]
    return w * (dmu @ Sm) + C + C.T


def fiml_moment_hessian(T: np.ndarray, patterns: list, N: int, stack, fac, a: np.ndarray, b: np.ndarray,
                        dmu: np.ndarray, ms: bool = True):
    """(H, G, gmu) of the FIML discrepancy of one group through its moments (see
    :meth:`Problem._moment_hessian`): T = Sigma^-1, the group's ``patterns`` over N rows, their ``stack``
    and ``fac`` (:mod:`~toolkit.factor.cfa.patterns`), and Sigma's derivatives in rank-2 form (a, b) and
    mu's (dmu) for q parameters."""
    p = T.shape[0]
    Xf, Vall = fac.X, fac.V
    q = a.shape[0]
    H = np.zeros((q, q))
    G = np.zeros((p, p))
    gmu = np.zeros(p)
    # patterns done by low-rank corrections: the complete ones, and those with few missing variables and
    # rows (the rest cost less in their observed block)
    low_rows = [np.arange(*stack.bounds[i]) for i, pat in enumerate(patterns) if pat.missing.size == 0]
    direct = []
    neg = _Gram(q)               # H -= B B' over the blocks B added
    Cx = np.zeros((q, q))        # cross mean terms to subtract (and their transpose)
    X = np.zeros((p, p))         # sum over low-rank patterns of w C C', plus v v' / N over their rows
    for ids, mi, *_ in stack.buckets:
        k, o = mi.shape[1], p - mi.shape[1]
        n = stack.n[ids]
        low = k * (k + 1) / 2 + (n + 1) * k <= 6 * o
        direct.extend(ids[~low].tolist())
        if not low.any():
            continue
        ids = ids[low]
        P = ids.size
        w = n[low] / N
        Xs = np.stack([Xf[i] for i in ids])                          # P x k x p, C_i = Xs[i]'
        Xw = (Xs * np.sqrt(w)[:, None, None]).reshape(P * k, p)
        X += Xw.T @ Xw
        rows = np.concatenate([np.arange(*stack.bounds[i]) for i in ids])
        low_rows.append(rows)
        pid = np.repeat(np.arange(P), n[low].astype(int))
        V = Vall[rows]
        Xcat = Xs.reshape(P * k, p).T
        AL, BE = (a @ Xcat).reshape(q, P, k), (b @ Xcat).reshape(q, P, k)   # a_j' C_i
        r, c = np.triu_indices(k)
        scale = np.where(r == c, np.sqrt(0.5), 1.0) * np.sqrt(w)[:, None]      # P x k(k+1)/2
        neg.add(((AL[:, :, r] * BE[:, :, c] + BE[:, :, r] * AL[:, :, c]) * scale).reshape(q, -1))
        aV, bV = a @ V.T, b @ V.T                                               # q x rows
        for c0 in range(0, rows.size, max(1, 200_000 // (q * k))):            # C_i'A_j v_r, q x rows x k
            sl = slice(c0, c0 + max(1, 200_000 // (q * k)))
            U = AL[:, pid[sl], :] * bV[:, sl, None] + BE[:, pid[sl], :] * aV[:, sl, None]
            neg.add(U.reshape(q, -1) * np.sqrt(1.0 / N))
        if ms:
            E = np.add.reduceat(V, np.r_[0, np.cumsum(n[low].astype(int))[:-1]], axis=0) / n[low][:, None]
            GA = (dmu @ Xcat).reshape(q, P, k) * np.sqrt(w)[None, :, None]
            UE = (AL * (b @ E.T)[:, :, None] + BE * (a @ E.T)[:, :, None]) * np.sqrt(w)[None, :, None]
            neg.add(GA.reshape(q, -1))
            Cx += UE.reshape(q, -1) @ GA.reshape(q, -1).T
    if low_rows:
        rows = np.concatenate(low_rows)
        V = Vall[rows]
        w_low = rows.size / N
        X += V.T @ V / N
        ebar = V.sum(axis=0) / N
        PX = _pair_products(X, T, a, b)
        H += 0.5 * (PX + PX.T - w_low * _pair_products(T, T, a, b))
        G += 0.5 * (w_low * T - X)
        gmu -= ebar
        if ms:
            H += _mean_terms(T, ebar, a, b, dmu, w_low)
    H -= neg.total() + Cx + Cx.T
    for i in direct:
        pat = patterns[i]
        o, w = pat.observed, pat.n / N
        Co = Xf[i].T[o]
        Si = pat.take(T, "oo") - Co @ Co.T
        Vo = Vall[stack.bounds[i][0]:stack.bounds[i][1]][:, o]
        Mo = Vo.T @ Vo / pat.n
        e = Vo.mean(axis=0)
        ao, bo, mo = a[:, o], b[:, o], dmu[:, o]
        PM = _pair_products(Mo, Si, ao, bo)
        H += 0.5 * w * (PM + PM.T - _pair_products(Si, Si, ao, bo))
        H += w * _mean_terms(Si, e, ao, bo, mo)
        G[np.ix_(o, o)] += 0.5 * w * (Si - Mo)
        gmu[o] -= w * e
    return H, G, gmu


class _Gram:
    """Running sum of B B' over column blocks B (q rows), multiplied out whenever the blocks held reach a
    bound, so that memory stays bounded however many blocks come."""

    def __init__(self, q: int, max_cols: int = 4096):
        self.q, self.max_cols = q, max_cols
        self.blocks, self.cols = [], 0
        self.sum = np.zeros((q, q))

    def add(self, B: np.ndarray):
        self.blocks.append(B)
        self.cols += B.shape[1]
        if self.cols >= self.max_cols:
            self._flush()

    def _flush(self):
        if self.blocks:
            B = np.hstack(self.blocks)
            self.sum += B @ B.T
            self.blocks, self.cols = [], 0

    def total(self) -> np.ndarray:
        self._flush()
        return self.sum


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
    def _group_terms(self, g: int, imp, st, want_grad: bool):
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
        ci = chol_inverse(imp.sigma)
        if ci is None:
            return None
        logdet, T = ci
        fac = self._fiml_factors(g, T, imp.mu)
        if fac is None:
            return None
        stack = self._fiml_setup(g)
        # -2 loglik (with 2 pi) over n, less the saturated value, halved: lavaan's fmin for FIML
        total = stack.const + stack.n_rows * logdet + stack.n @ fac.ld + fac.quad
        f = 0.5 * (total / st.n + 2 * st.h1_loglik / st.n)
        if not want_grad:
            return f, None, None
        blocks = [fac.X[i] * np.sqrt(stack.n[i] / st.n) for i in stack.incomplete]
        Xw = np.vstack(blocks) if blocks else np.zeros((0, p))
        V = fac.V
        G = 0.5 * (stack.n_rows / st.n * T - Xw.T @ Xw - V.T @ V / st.n)
        return f, G, -V.sum(axis=0) / st.n

    def _fiml_setup(self, g: int):
        """The group's rows stacked by pattern (built once: the data do not change)."""
        cache = self.__dict__.setdefault("_fiml_cache", {})
        if g not in cache:
            cache[g] = stack_patterns(self.stats[g].patterns, self.model.p)
        return cache[g]

    def _fiml_factors(self, g: int, T: np.ndarray, mu: np.ndarray):
        """:func:`~toolkit.factor.cfa.patterns.pattern_factors` of group ``g``."""
        return pattern_factors(self._fiml_setup(g), T, mu)

    def objective(self, z) -> float:
        imps = self.implied(z)
        total = 0.0
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            out = self._group_terms(g, imp, st, False)
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
            out = self._group_terms(g, imp, st, True)
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
                every = o.size == self.model.p         # all variables: no copies
                S = imp.sigma if every else imp.sigma[np.ix_(o, o)]
                ci = chol_inverse(S)
                Si = ci[1] if ci is not None else np.linalg.inv(S)
                ao, bo, mo = (a, b, dmu) if every else (a[:, o], b[:, o], dmu[:, o])
                aS, bS = ao @ Si, bo @ Si
                Paa, Pbb, Pab = aS @ ao.T, bS @ bo.T, aS @ bo.T
                info += w * (Paa * Pbb + Pab * Pab.T)
                if self.meanstructure:
                    info += w * (mo @ Si @ mo.T)
            full = np.zeros((self.nx, self.nx))
            full[np.ix_(cols, cols)] = info
            groups.append(full)
            total += self.weights[g] * full
        return (total, groups) if per_group else total

    def observed_information(self, z, *, reuse: float = 0.0) -> np.ndarray:
        """Analytic Hessian of fmin in ``z`` (lavaan's observed information, ``"hessian"``); with ``reuse`` > 0
        the last one computed is returned when its ``z`` is that close (largest absolute difference).

        Per group, the moment part (:meth:`_moment_hessian`) plus the part with the model's second
        derivatives, the Hessian of tr(G Sigma) + gmu' mu with the moment gradient (G, gmu) held fixed
        (:meth:`LisrelModel.curvature`).
        """
        last = getattr(self, "_hessian_cache", None)
        if reuse > 0 and last is not None and last[0].shape == np.shape(z) and np.max(np.abs(last[0] - z)) <= reuse:
            return last[1]
        imps = self.implied(z)
        Hx = np.zeros((self.nx, self.nx))
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
            rows, cols = self._group_rows[g], self._group_cols[g]
            if rows.size == 0:
                continue
            a, b, dmu, _ = self.model.derivatives(imp, rows)
            out = self._moment_hessian(g, imp, st, a, b, dmu)
            if out is None:
                raise np.linalg.LinAlgError("the implied covariance matrix is not positive definite")
            H, G, gmu = out
            S2 = self.model.curvature(imp, rows, G, gmu)
            H += (S2 + S2.T) / 2
            Hx[np.ix_(cols, cols)] += self.weights[g] * H
        out = self.K.T @ Hx @ self.K
        self._hessian_cache = (np.array(z, dtype=float), out)
        return out

    def _moment_hessian(self, g, imp, st, a, b, dmu):
        """(H, G, gmu) of one group: the Hessian of f_g through the implied moments with the model's second
        derivatives left out, and the gradient of f_g in Sigma (G) and mu (gmu). None when Sigma is not
        positive definite.

        With A_k = a_k b_k' + b_k a_k' the derivative of Sigma in parameter k and, per pattern, Si = Sigma_oo^-1
        (padded with zeros to p x p), W = S + dd' and M = Si W Si, the pattern adds
        w/2 [-tr(Si A_k Si A_l) + tr(M A_k Si A_l) + tr(M A_l Si A_k)] + w dmu_k' Si dmu_l
        + w (dmu_k' Si A_l Si d + dmu_l' Si A_k Si d). For a pattern with missing variables m, Si = T - C C' with
        T = Sigma^-1 and C = T_.m chol(T_mm^-1) (p x k, Schur complement), and M = (1/n) sum_i v_i v_i' with
        v_i = Si r_i over its rows. Expanding, every term linear in Si or M sums over the patterns into p x p
        matrices first (the sums of C C', of v_i v_i' / N and of v_i / N) and is contracted with the
        derivatives once; the terms with C twice are inner products of k x k (or k-vector) blocks, stacked
        over all patterns and rows into one matrix product. Patterns where that costs more than working in
        their observed block directly are done directly.
        """
        p = self.model.p
        ms = self.meanstructure
        ci = chol_inverse(imp.sigma)
        if ci is None:
            return None
        T = ci[1]
        if not self.fiml or st.complete:
            d = st.mean - imp.mu if ms else np.zeros(p)
            M = T @ (st.cov + np.outer(d, d)) @ T
            e = T @ d
            PM = _pair_products(M, T, a, b)
            H = 0.5 * (PM + PM.T - _pair_products(T, T, a, b))
            if ms:
                H += _mean_terms(T, e, a, b, dmu)
            return H, 0.5 * (T - M), -e
        fac = self._fiml_factors(g, T, imp.mu)
        if fac is None:
            return None
        return fiml_moment_hessian(T, st.patterns, st.n, self._fiml_setup(g), fac, a, b, dmu, ms)

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
        for g, (imp, st) in enumerate(zip(imps, self.stats)):
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
                ci = chol_inverse(imp.sigma)
                fac = self._fiml_factors(g, ci[1], imp.mu) if ci is not None else None
                if fac is None:
                    return -np.inf
                stack = self._fiml_setup(g)
                total += -0.5 * (stack.const + stack.n_rows * ci[0] + stack.n @ fac.ld + fac.quad)
        return float(total)
