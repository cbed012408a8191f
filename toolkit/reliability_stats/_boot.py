"""Bootstrap and jackknife of raw alpha from resampling weights and per-row sufficient statistics.

A bootstrap resample is a vector of counts w (how often each row was drawn: multinomial(n, 1/n)). Every
covariance of a resample is a function of weighted sums of per-row *features*, so the alpha of many
resamples comes from one matrix product  W @ F  (resamples x rows times rows x features), through BLAS.
Complete data need k + 2 features per row (the centred items, the sum of their squares and the squared
total); pairwise-missing data need, for every item pair, the sums of m_j m_l, x_j m_l, m_j x_l and x_j x_l
(m = answered), which rows answering every item reduce to 1, x_j and x_j x_l.

The weights are drawn block by block (:class:`Resamples`), so no n_boot x n matrix ever exists: the rows
are cut into blocks of 2**14; each resample's n draws are first split among the blocks (multinomial with
the block sizes), then drawn uniformly inside each block from the block's own random stream. That is an
exact multinomial resample of the rows, and the work per block fits in cache: memory does not grow with
n, time grows linearly.

The jackknife (for BCa's acceleration) subtracts a group's features from the full-sample sums: single
rows (the exact leave-one-out jackknife) up to :data:`JACKKNIFE_EXACT_MAX` rows, and above that
:data:`JACKKNIFE_GROUPS` random groups of about n / 20,000 rows each (the grouped, delete-d jackknife).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._numerics import row_blocks

__all__ = ["Resamples", "BLOCK", "bootstrap_alpha", "dense_counts", "resample_order", "jackknife_groups",
           "percentile_ci", "bca_ci", "JACKKNIFE_EXACT_MAX", "JACKKNIFE_GROUPS"]

BLOCK = 1 << 14  # rows per weight block: 16,384 (a power of two: uniform draws inside come from raw bits)
PASS = 32  # resamples whose counts are multiplied with a block's features at a time
JACKKNIFE_EXACT_MAX = 20_000  # above this many rows, BCa's acceleration uses the grouped jackknife
JACKKNIFE_GROUPS = 20_000  # groups of the grouped (delete-d) jackknife
_FEATURE_ELEMENTS = 1 << 20  # feature-matrix entries built at a time (8 MB of float64)
_JACK_ELEMENTS = 1 << 15  # ... for the jackknife's group sums (256 KB)
_COUNTS_ELEMENTS = 1 << 22  # resampling counts held at a time when the features are rebuilt in pieces (32 MB)
_LANES = 2  # blocks are summed in this many fixed lanes (the same sums whatever the number of threads)


class Resamples:
    """Multinomial resampling counts of ``n`` rows for ``n_boot`` resamples, drawn block by block.

    Rows are taken in blocks of 2**14 (block ``j`` holds positions ``j * BLOCK`` ...). ``fill(j, start, out)``
    writes the counts of block ``j``'s rows in resamples ``start, start + 1, ...`` into the rows of ``out``
    (any numeric array of block width); for each block the resamples must be asked for in order, since each
    block draws from its own random stream, which lets threads work on different blocks at once. Nothing
    larger than one block's counts for one resample is allocated.

    The draws: ``rng = numpy.random.default_rng(seed)``; the block totals of every resample are
    ``rng.multinomial(n, sizes / n, size=n_boot)``; block ``j`` then draws each resample's rows uniformly
    from the stream ``rng.spawn(n_blocks + 1)[j]`` (a full block of 2**14 rows takes 16 raw bits per draw,
    a smaller block ``integers(0, size)``); the last stream, ``aux``, is left for other draws. The result is
    a multinomial(n, 1/n) resample of the positions; resample b depends only on ``seed``, ``n`` and b
    (asking for more resamples adds new ones and leaves the first ones as they were).
    """

    def __init__(self, n: int, n_boot: int, seed):
        self.n, self.n_boot = int(n), int(n_boot)
        self.sizes = np.array([min(BLOCK, n - s) for s in range(0, n, BLOCK)], dtype=np.int64)
        rng = np.random.default_rng(seed)
        if len(self.sizes) == 1:
            self.totals = np.full((self.n_boot, 1), self.n, dtype=np.int64)
        else:
            self.totals = rng.multinomial(self.n, self.sizes / self.n, size=self.n_boot)
        *self._streams, self.aux = rng.spawn(len(self.sizes) + 1)  # aux: a stream for other draws (jackknife)
        self._next = [0] * len(self.sizes)

    @property
    def n_blocks(self) -> int:
        return len(self.sizes)

    def positions(self, j: int) -> slice:
        return slice(j * BLOCK, j * BLOCK + int(self.sizes[j]))

    def fill(self, j: int, start: int, out: np.ndarray) -> np.ndarray:
        if start != self._next[j]:
            raise RuntimeError(f"block {j}: resample {start} asked for before resample {self._next[j]}")
        size = int(self.sizes[j])
        g = self._streams[j]
        for i in range(out.shape[0]):
            m = int(self.totals[start + i, j])
            if size == BLOCK:  # 16 uniform bits per draw, the top log2(BLOCK) of them
                draws = g.bit_generator.random_raw((m + 3) // 4).view(np.uint16)[:m] >> (17 - BLOCK.bit_length())
            else:
                draws = g.integers(0, size, size=m)
            out[i] = np.bincount(draws, minlength=size)
        self._next[j] = start + out.shape[0]
        return out

    def counts(self, j: int, start: int, stop: int) -> np.ndarray:
        """Counts of block ``j`` in resamples ``start .. stop - 1`` as an int64 array."""
        return self.fill(j, start, np.empty((stop - start, int(self.sizes[j])), dtype=np.int64))


def dense_counts(n: int, n_boot: int, seed) -> np.ndarray:
    """All counts of :class:`Resamples` as one (n_boot x n) array (small problems and tests only)."""
    w = Resamples(n, n_boot, seed)
    out = np.empty((n_boot, n), dtype=np.int64)
    for j in range(w.n_blocks):
        out[:, w.positions(j)] = w.counts(j, 0, n_boot)
    return out


def jackknife_groups(n: int) -> int:
    """How many jackknife values BCa uses for ``n`` rows: n (leave one out), or the grouped jackknife's groups."""
    return n if n <= JACKKNIFE_EXACT_MAX else JACKKNIFE_GROUPS


class _Group:
    """Rows sharing one feature layout: ``feats(rows)`` builds their features, ``expand`` maps summed
    features to the common layout that ``alpha`` reads."""

    def __init__(self, rows, feats, n_feat, expand=None):
        self.rows, self.feats, self.n_feat = rows, feats, n_feat
        self.expand = expand if expand is not None else (lambda G: G)


def _features(X: np.ndarray):
    """(row groups, alpha(summed common-layout features, number of rows)); the groups' rows in that order."""
    n, k = X.shape
    M = ~np.isnan(X)
    # the items are centred by their means row by row as features are built (no centred copy of the data)
    total, count = np.zeros(k), np.zeros(k)
    for rows in row_blocks(n, k):
        m = M[rows]
        total += np.where(m, X[rows], 0.0).sum(axis=0)
        count += m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    if M.all():
        # per row: x_j (centred), sum_j x_j^2, (sum_j x_j)^2; the sum of the x_j is the total's
        def feats(rows):
            x = X[rows] - mean
            out = np.empty((x.shape[0], k + 2))
            out[:, :k] = x
            np.einsum("ij,ij->i", x, x, out=out[:, k])
            t = x.sum(axis=1)
            np.multiply(t, t, out=out[:, k + 1])
            return out

        def alpha(G, N):
            s1 = G[..., :k]
            var_items = G[..., k] - np.einsum("...j,...j->...", s1, s1) / N
            t1 = s1.sum(axis=-1)
            var_t = G[..., k + 1] - t1 * t1 / N
            with np.errstate(invalid="ignore", divide="ignore"):
                return (1 - var_items / var_t) * k / (k - 1)

        return [_Group(np.arange(n), feats, k + 2)], alpha
    # pairwise: per item pair (j, jl) the sums of m_j m_jl, x_j m_jl, m_j x_jl and x_j x_jl (x centred, 0 if missing)
    j, jl = np.triu_indices(k)
    P = j.size
    weight = np.where(j == jl, 1.0, 2.0)

    def centred(rows):  # x - mean where answered, 0 where missing; and the answered mask as numbers
        m = M[rows]
        return np.where(m, X[rows] - mean, 0.0), m.astype(float)

    def feats_incomplete(rows):
        x, m = centred(rows)
        return np.concatenate([m[:, j] * m[:, jl], x[:, j] * m[:, jl], m[:, j] * x[:, jl], x[:, j] * x[:, jl]], axis=1)

    # rows answering every item need only 1, x_j and x_j x_jl (m = 1): about half the work
    def feats_complete(rows):
        x = X[rows] - mean
        return np.concatenate([np.ones((x.shape[0], 1)), x, x[:, j] * x[:, jl]], axis=1)

    def expand_complete(G):
        return np.concatenate([np.repeat(G[..., :1], P, axis=-1), G[..., 1 + j], G[..., 1 + jl], G[..., 1 + k:]],
                              axis=-1)

    complete = M.all(axis=1)
    groups = [_Group(np.flatnonzero(complete), feats_complete, 1 + k + P, expand_complete),
              _Group(np.flatnonzero(~complete), feats_incomplete, 4 * P)]
    groups = [g for g in groups if g.rows.size]

    def alpha(G, N=None):
        npair, sa, sb, sab = G[..., :P], G[..., P:2 * P], G[..., 2 * P:3 * P], G[..., 3 * P:]
        with np.errstate(invalid="ignore", divide="ignore"):
            C = (sab - sa * sb / npair) / (npair - 1)
            tr = C[..., j == jl].sum(axis=-1)
            tot = (C * weight).sum(axis=-1)
            return (1 - tr / tot) * k / (k - 1)

    return groups, alpha


def _add_block(groups, w: Resamples, j: int, sums: list[np.ndarray], buffers: dict) -> None:
    """Add  counts x features  of block j's positions to ``sums`` (one n_boot x features array per group).

    When the block's features are small (complete data: k + 2 per row) they are built once and the counts
    come :data:`PASS` resamples at a time (the counts buffer stays in cache). Pairwise data have
    k(k+1)/2 x 4 features per row: they are built in pieces, and the counts of as many resamples as fit in
    32 MB are multiplied with each piece, so the pieces are rebuilt only every so many resamples.
    ``buffers`` keeps the counts buffers (one per pass length) from block to block.
    """
    pos = w.positions(j)
    size = pos.stop - pos.start
    pieces = []  # (group index, columns of the block's counts, rows)
    base = 0
    for gi, g in enumerate(groups):
        lo, hi = max(pos.start, base), min(pos.stop, base + g.rows.size)
        step = max(1, _FEATURE_ELEMENTS // g.n_feat)
        for s in range(lo, hi, step):
            e = min(hi, s + step)
            pieces.append((gi, slice(s - pos.start, e - pos.start), g.rows[s - base:e - base]))
        base += g.rows.size
    cached = None
    if sum(rows.size * groups[gi].n_feat for gi, _, rows in pieces) <= _FEATURE_ELEMENTS:
        cached = [groups[gi].feats(rows) for gi, _, rows in pieces]
        step = min(PASS, w.n_boot)
    else:
        step = min(w.n_boot, max(PASS, _COUNTS_ELEMENTS // size))
    if step not in buffers:
        buffers[step] = np.empty((step, BLOCK if w.n_blocks > 1 else w.n))
    W = buffers[step]
    for b0 in range(0, w.n_boot, step):
        counts = w.fill(j, b0, W[:min(step, w.n_boot - b0), :size])
        b = slice(b0, b0 + counts.shape[0])
        for p, (gi, cols, rows) in enumerate(pieces):
            F = cached[p] if cached is not None else groups[gi].feats(rows)
            sums[gi][b] += counts[:, cols] @ F


def bootstrap_alpha(X: np.ndarray, n_boot: int, seed, *, jackknife: bool = True, jack_groups: int | None = None):
    """Raw alpha on ``n_boot`` resamples of the rows, and the jackknife values for BCa if asked.

    Returns (boot, jack). Resample b draws row ``resample_order(X)[p]`` ``dense_counts(n, n_boot, seed)[b, p]``
    times (see :class:`Resamples`; for complete data the order is the rows' own). ``jack`` has one value per
    jackknife group: alpha without that group's rows. ``jack_groups`` (default :func:`jackknife_groups`) = n
    gives the exact leave-one-out jackknife; fewer give the grouped (delete-d) jackknife over random groups of
    (nearly) equal size, drawn from ``seed``. Memory stays bounded by the block sizes, whatever n.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    groups, alpha = _features(X)
    w = Resamples(n, n_boot, seed)
    lanes = [list(range(lane, w.n_blocks, _LANES)) for lane in range(_LANES)]

    def lane_sums(blocks):
        total = [np.zeros((n_boot, g.n_feat)) for g in groups]
        buffers: dict = {}
        for j in blocks:
            _add_block(groups, w, j, total, buffers)
        return total

    workers = min(_LANES, os.cpu_count() or 1)
    if workers > 1 and w.n_blocks > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(lane_sums, lanes))
    else:
        parts = [lane_sums(blocks) for blocks in lanes]
    G = 0.0
    for gi, g in enumerate(groups):
        G = G + g.expand(sum(p[gi] for p in parts))
    boot = alpha(G, float(n))
    jack = _jackknife(X, groups, alpha, jackknife_groups(n) if jack_groups is None else int(jack_groups), w) \
        if jackknife else None
    return boot, jack


def resample_order(X: np.ndarray) -> np.ndarray:
    """The rows in the order the resampling counts refer to: rows answering every item first, then the others
    (each in their own order); for complete data, the rows in order."""
    complete = ~np.isnan(np.asarray(X, dtype=float)).any(axis=1)
    return np.concatenate([np.flatnonzero(complete), np.flatnonzero(~complete)])


def _jackknife(X, groups, alpha, n_groups: int, w: Resamples) -> np.ndarray:
    """alpha without each group's rows; groups are single rows when ``n_groups`` = n, else random and
    of sizes floor(n / n_groups) or one more (the rows in the order of ``w.aux.permutation(n)``, cut into
    consecutive runs)."""
    n = X.shape[0]
    n_groups = max(1, min(n_groups, n))
    visit = np.arange(n) if n_groups == n else w.aux.permutation(n)
    label = np.empty(n, dtype=np.intp)
    label[visit] = np.arange(n) * n_groups // n
    size = np.bincount(label, minlength=n_groups)
    sums = 0.0
    for g in groups:
        member = np.zeros(n, dtype=bool)
        member[g.rows] = True
        rows = visit[member[visit]]  # the group's rows in visiting order: their labels never decrease
        lab = label[rows]
        S = np.zeros((n_groups, g.n_feat))
        step = max(1, _JACK_ELEMENTS // g.n_feat)
        for s in range(0, rows.size, step):
            r, lb = rows[s:s + step], lab[s:s + step]
            starts = np.flatnonzero(np.r_[True, lb[1:] != lb[:-1]])
            S[lb[starts]] += np.add.reduceat(g.feats(r), starts, axis=0)
        sums = sums + g.expand(S)
    total = sums.sum(axis=0)
    return alpha(total - sums, (n - size).astype(float))


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
    d = mean(jack) - jack (jackknife values, leave-one-out or grouped);  the interval is the bootstrap
    quantiles at Phi(z0 + (z0 + z) / (1 - a (z0 + z))) for z = Phi^-1((1 -/+ level) / 2).
    """
    from scipy.special import ndtr, ndtri

    b = boot[np.isfinite(boot)]
    if b.size == 0 or not np.isfinite(theta):
        return np.nan, np.nan
    prop = (np.sum(b < theta) + 0.5 * np.sum(b == theta)) / b.size
    prop = min(max(prop, 0.5 / b.size), 1 - 0.5 / b.size)
    z0 = ndtri(prop)
    jk = jack[np.isfinite(jack)] if jack is not None else np.array([])
    d = jk.mean() - jk if jk.size else np.array([0.0])
    den = 6 * (np.sum(d**2)) ** 1.5
    a = float(np.sum(d**3) / den) if den > 0 else 0.0
    z = ndtri(np.array([(1 - level) / 2, (1 + level) / 2]))
    q = ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    lo, hi = np.quantile(b, q)
    return float(lo), float(hi)
