"""Fast bootstrap and jackknife of raw alpha from resampling weights (no data copies).

A bootstrap resample is a vector of counts w (how often each row was drawn); every covariance of the
resample is a function of weighted sums  sum w x_j,  sum w x_j x_k,  sum w m_j m_k  (m = answered), so
all resamples come from one matrix product  W @ features.  Complete data need only the item sums, the
item sums of squares and the total score (2k + 2 features); pairwise-missing data use the four pair sums
for every item pair. The jackknife (leave one row out, for BCa's acceleration) subtracts each row's own
features from the full-sample sums.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap_alpha", "percentile_ci", "bca_ci"]


_BLOCK_ELEMENTS = 2_000_000  # feature-matrix entries built at a time (16 MB of float64)


class _Group:
    """Rows sharing one feature layout: ``feats(rows)`` builds their features, ``expand`` maps summed
    features to the common layout that ``alpha`` reads."""

    def __init__(self, rows, feats, n_feat, expand=None):
        self.rows, self.feats, self.n_feat = rows, feats, n_feat
        self.expand = expand if expand is not None else (lambda G: G)


def _features(X: np.ndarray):
    """(row groups, map summed common-layout features -> raw alpha)."""
    n, k = X.shape
    M = ~np.isnan(X)
    Xc = X - np.nanmean(X, axis=0)
    if M.all():
        T = Xc.sum(axis=1)

        def feats(rows):
            x, t = Xc[rows], T[rows]
            return np.column_stack([x, x**2, t, t**2, np.ones(x.shape[0])])

        def alpha(G):
            N = G[..., -1]
            s1, s2 = G[..., :k], G[..., k:2 * k]
            t1, t2 = G[..., 2 * k], G[..., 2 * k + 1]
            var_items = ((s2 - s1**2 / N[..., None]) / (N[..., None] - 1)).sum(axis=-1)
            var_t = (t2 - t1**2 / N) / (N - 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                return (1 - var_items / var_t) * k / (k - 1)

        return [_Group(np.arange(n), feats, 2 * k + 3)], alpha
    # pairwise: per pair (j, l) the sums of m_j m_l, x_j m_l, m_j x_l and x_j x_l (x centred, 0 if missing)
    X0 = np.where(M, Xc, 0.0)
    Mf = M.astype(float)
    j, l = np.triu_indices(k)
    P = j.size
    weight = np.where(j == l, 1.0, 2.0)

    def feats_incomplete(rows):
        m, x = Mf[rows], X0[rows]
        return np.concatenate([m[:, j] * m[:, l], x[:, j] * m[:, l], m[:, j] * x[:, l], x[:, j] * x[:, l]], axis=1)

    # rows answering every item need only 1, x_j and x_j x_l (m = 1): about half the work
    def feats_complete(rows):
        x = X0[rows]
        return np.concatenate([np.ones((x.shape[0], 1)), x, x[:, j] * x[:, l]], axis=1)

    def expand_complete(G):
        return np.concatenate([np.repeat(G[..., :1], P, axis=-1), G[..., 1 + j], G[..., 1 + l], G[..., 1 + k:]],
                              axis=-1)

    complete = M.all(axis=1)
    groups = [_Group(np.flatnonzero(~complete), feats_incomplete, 4 * P)]
    if complete.any():
        groups.append(_Group(np.flatnonzero(complete), feats_complete, 1 + k + P, expand_complete))

    def alpha(G):
        npair, sa, sb, sab = G[..., :P], G[..., P:2 * P], G[..., 2 * P:3 * P], G[..., 3 * P:]
        with np.errstate(invalid="ignore", divide="ignore"):
            C = (sab - sa * sb / npair) / (npair - 1)
            tr = C[..., j == l].sum(axis=-1)
            tot = (C * weight).sum(axis=-1)
            return (1 - tr / tot) * k / (k - 1)

    return groups, alpha


def _blocks(rows: np.ndarray, n_feat: int) -> list[np.ndarray]:
    size = max(1, _BLOCK_ELEMENTS // n_feat)
    return [rows[s:s + size] for s in range(0, rows.size, size)]


def bootstrap_alpha(X: np.ndarray, n_boot: int, seed, *, jackknife: bool = True, chunk: int | None = None):
    """Raw alpha on ``n_boot`` resamples of the rows (and the n leave-one-out values if asked).

    Returns (boot, jack). Resample b is row indices ``default_rng(seed).integers(0, n, size=(n_boot, n))[b]``
    (drawn ``chunk`` resamples at a time: the same stream whatever the chunk). Memory stays bounded: the
    per-row features are built in row blocks.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    groups, alpha = _features(X)
    rng = np.random.default_rng(seed)
    if chunk is None:
        chunk = max(1, min(n_boot, int(5e6 // max(n, 1))))
    plan = []  # (group, blocks, cached features or None)
    for g in groups:
        blocks = _blocks(g.rows, g.n_feat)
        cached = g.feats(g.rows) if len(blocks) == 1 else None
        plan.append((g, blocks, cached))
    out = np.empty(n_boot)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        counts = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        counts = counts.astype(float)
        G = 0.0
        for g, blocks, cached in plan:
            if cached is not None:
                Gg = counts[:, g.rows] @ cached
            else:
                Gg = np.zeros((b, g.n_feat))
                for rows in blocks:
                    Gg += counts[:, rows] @ g.feats(rows)
            G = G + g.expand(Gg)
        out[done:done + b] = alpha(G)
        done += b
    jack = None
    if jackknife:
        total = 0.0
        for g, blocks, cached in plan:
            s = cached.sum(axis=0) if cached is not None else sum(g.feats(r).sum(axis=0) for r in blocks)
            total = total + g.expand(s)
        jack = np.empty(n)
        for g, blocks, cached in plan:
            for rows in blocks:
                F = g.feats(rows) if cached is None else cached[np.searchsorted(g.rows, rows)]
                jack[rows] = alpha(total - g.expand(F))
    return out, jack


def percentile_ci(boot: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval: the (1-level)/2 and (1+level)/2 quantiles of the bootstrap values
    (R's ``quantile`` type 7, as psych::alpha's ``boot.ci``)."""
    b = boot[np.isfinite(boot)]
    if b.size == 0:
        return np.nan, np.nan
    lo, hi = np.quantile(b, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def bca_ci(boot: np.ndarray, theta: float, jack: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Bias-corrected and accelerated interval (Efron 1987; Efron & Tibshirani 1993, ch. 14).

    z0 = Phi^-1(share of bootstrap values < theta);  a = sum d^3 / (6 (sum d^2)^(3/2)) with
    d = mean(jack) - jack (jackknife values);  the interval is the bootstrap quantiles at
    Phi(z0 + (z0 + z) / (1 - a (z0 + z))) for z = Phi^-1((1 -/+ level) / 2).
    """
    from scipy.stats import norm

    b = boot[np.isfinite(boot)]
    if b.size == 0 or not np.isfinite(theta):
        return np.nan, np.nan
    prop = (np.sum(b < theta) + 0.5 * np.sum(b == theta)) / b.size
    prop = min(max(prop, 0.5 / b.size), 1 - 0.5 / b.size)
    z0 = norm.ppf(prop)
    jk = jack[np.isfinite(jack)] if jack is not None else np.array([])
    d = jk.mean() - jk if jk.size else np.array([0.0])
    den = 6 * (np.sum(d**2)) ** 1.5
    a = float(np.sum(d**3) / den) if den > 0 else 0.0
    z = norm.ppf([(1 - level) / 2, (1 + level) / 2])
    q = norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    lo, hi = np.quantile(b, q)
    return float(lo), float(hi)
