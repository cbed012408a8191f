"""Bootstrap and jackknife of raw alpha from resampling weights and per-row sufficient statistics.

A bootstrap resample is a vector of counts w (how often each row was drawn: multinomial(n, 1/n)). Every
covariance of a resample is a function of weighted sums of per-row *features*, so the alpha of many
resamples comes from one matrix product  W @ F  (resamples x rows times rows x features), through BLAS.
Complete data need k + 2 features per row (the centred items, the sum of their squares and the squared
total). With missing cells (pairwise covariances) every row has the dense features 1, x_j and x_j x_l
(x centred, 0 where missing), and the rows with a missing cell add sparse ones (u_j = item j missing,
u_j u_l, x_j u_l), from which each pair's count, sums and cross-product over the rows answering both items
follow exactly (:class:`_Features`); the sparse part is a sparse-times-dense product, so missing cells cost
in proportion to their number.

The weights are drawn block by block (:class:`Resamples`), so no n_boot x n matrix ever exists: the rows
are cut into blocks of 2**14; each resample's n draws are first split among the blocks (multinomial with
the block sizes), then drawn uniformly inside each block from the block's own random stream. That is an
exact multinomial resample of the rows, and the work per block fits in cache: memory does not grow with
n, time grows linearly. Counting a resample's draws is the inner loop; above :data:`COMPILED_MIN_ROWS` rows
a compiled loop (:data:`toolkit._compiled.COUNT`, numba, the ``fast`` extra) counts them, loaded on a
background thread while numpy counts the first blocks: the counts, and so the results, are the same either way.

The jackknife (for BCa's acceleration) subtracts a group's features from the full-sample sums: single
rows (the exact leave-one-out jackknife) up to :data:`JACKKNIFE_EXACT_MAX` rows, and above that
:data:`JACKKNIFE_GROUPS` random groups of about n / 20,000 rows each (the grouped, delete-d jackknife).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import _compiled
from .._numerics import row_blocks

__all__ = ["Resamples", "BLOCK", "bootstrap_alpha", "dense_counts", "jackknife_groups",
           "percentile_ci", "bca_ci", "JACKKNIFE_EXACT_MAX", "JACKKNIFE_GROUPS", "COMPILED_MIN_ROWS"]

COMPILED_MIN_ROWS = 1 << 18  # below this many rows a bootstrap takes under a second: loading numba would not pay

BLOCK = 1 << 14  # rows per weight block: 16,384 (a power of two: uniform draws inside come from raw bits)
PASS = 32  # resamples whose counts are multiplied with a block's features at a time
JACKKNIFE_EXACT_MAX = 20_000  # above this many rows, BCa's acceleration uses the grouped jackknife
JACKKNIFE_GROUPS = 20_000  # groups of the grouped (delete-d) jackknife
_FEATURE_ELEMENTS = 1 << 22  # dense feature-matrix entries built at a time (32 MB of float64)
_JACK_ELEMENTS = 1 << 20  # ... for the jackknife's group sums (8 MB)
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
        self._fast = self.n >= COMPILED_MIN_ROWS  # count float rows with the compiled loop once it is loaded

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
        m = self.totals[start:start + out.shape[0], j]
        if size == BLOCK:  # 16 uniform bits per draw, the top log2(BLOCK) of them; resample i takes ceil(m_i / 4)
            words = (m + 3) // 4  # raw 64-bit words, all the pass's words drawn at once
            draws = g.bit_generator.random_raw(int(words.sum())).view(np.uint16)
            first = 4 * (np.cumsum(words) - words)
            shift = 17 - BLOCK.bit_length()
            count = None
            if self._fast and out.dtype == np.float64:
                _compiled.COUNT.start()  # loads on a background thread, once per process
                count = _compiled.COUNT.ready()
            if count is not None:  # the same counts as below (see toolkit._compiled)
                count(draws, first, m, shift, out)
            else:
                np.right_shift(draws, shift, out=draws)
                for i in range(out.shape[0]):
                    out[i] = np.bincount(draws[first[i]:first[i] + m[i]], minlength=size)
        else:
            for i in range(out.shape[0]):
                out[i] = np.bincount(g.integers(0, size, size=int(m[i])), minlength=size)
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


class _Features:
    """Per-row features whose weighted sums give a sample's alpha.

    ``dense(rows)`` is a (rows x ``n_dense``) array; ``sparse(rows)`` a (rows x ``n_sparse``) CSR matrix (None
    for complete data, ``n_sparse`` = 0), nonzero only in rows with a missing cell; ``alpha(D, S, N)`` turns
    summed features (any leading shape) into alpha.

    Complete data: x_j (centred), sum_j x_j^2 and (sum_j x_j)^2 (k + 2 dense features, then zero columns up to
    a multiple of 4). Missing cells: with x
    centred and 0 where missing and u_j = 1 where item j is missing, every row has the dense features 1, x_j and
    x_j x_l (j <= l), and the rows with a missing cell also u_j, u_j u_l (j <= l) and x_j u_l (all j, l), which
    are sparse. A pair's sums over the rows answering both items follow exactly:
    n_jl = N - U_j - U_l + UU_jl, sum x_j = S_j - XU_jl, sum x_l = S_l - XU_lj, sum x_j x_l = SXX_jl.
    """

    def __init__(self, X: np.ndarray):
        self.X = X
        n, k = X.shape
        self.k = k
        M = ~np.isnan(X)
        self.M = M
        self.complete = bool(M.all())
        # the items are centred by their means as features are built (no centred copy of the data)
        if self.complete:
            self.mean = X.mean(axis=0)
        else:
            total, count = np.zeros(k), np.zeros(k)
            for rows in row_blocks(n, k, 1 << 18):
                m = M[rows]
                total += np.where(m, X[rows], 0.0).sum(axis=0)
                count += m.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                self.mean = total / count
        self.full = None  # (dense, sparse) features of every row, when built once for all (small data)
        if self.complete:  # padded with zero columns to a multiple of 4: BLAS's kernels are faster then
            self.n_dense, self.n_sparse = k + 2 + (-(k + 2)) % 4, 0
            return
        j, jl = np.triu_indices(k)
        self.j, self.jl, self.P = j, jl, j.size
        self.pair_key = j * k + jl  # increasing: the position of pair (j, l) among the pairs
        self.n_dense = 1 + k + self.P
        self.n_sparse = k + self.P + k * k

    def both(self, rows):
        """(dense, sparse) features of ``rows``; from :attr:`full` (every row's features) when it was built."""
        if self.full is not None:
            return self.full[0][rows], (None if self.full[1] is None else self.full[1][rows])
        return self.dense(rows), self.sparse(rows)

    def columns(self, rows) -> np.ndarray:
        """Complete data: the k + 2 features of ``rows`` feature by feature, a (k + 2) x rows array."""
        k = self.k
        X = self.X[rows]
        out = np.empty((k + 2, X.shape[0]))
        x = out[:k]
        np.subtract(X.T, self.mean[:, None], out=x)
        np.einsum("ji,ji->i", x, x, out=out[k])
        np.sum(x, axis=0, out=out[k + 1])
        np.multiply(out[k + 1], out[k + 1], out=out[k + 1])
        return out

    def dense(self, rows) -> np.ndarray:
        k = self.k
        if self.complete:
            c = self.columns(rows)
            out = np.zeros((c.shape[1], self.n_dense))
            out[:, :k + 2] = c.T
            return out
        m = self.M[rows]
        x = np.where(m, np.subtract(self.X[rows], self.mean, order="C"), 0.0)
        out = np.empty((x.shape[0], self.n_dense))
        out[:, 0] = 1.0
        out[:, 1:1 + k] = x
        c = 1 + k
        for a in range(k):  # x_a x_l for l >= a: the pairs in np.triu_indices order
            np.multiply(x[:, a:a + 1], x[:, a:], out=out[:, c:c + k - a])
            c += k - a
        return out

    def sparse(self, rows):
        """The sparse features of ``rows`` as a CSR matrix (None for complete data)."""
        if self.complete:
            return None
        from scipy.sparse import csr_array

        k, P = self.k, self.P
        m = self.M[rows]
        r = m.shape[0]
        mr, mc = np.nonzero(~m)  # the missing cells, row by row
        # u_l: one per missing cell; u_j u_l: per row, every pair (j <= l) of its missing cells
        a, b = _pairs_within(mr, mc)
        pair = np.searchsorted(self.pair_key, mc[a] * k + mc[b])
        # x_j u_l: every answered item j of a row with item l missing
        jj = np.broadcast_to(np.arange(k), (mr.size, k))
        answered = m[mr]
        cell_j = jj[answered]
        cell = np.repeat(np.arange(mr.size), answered.sum(axis=1))
        xr = mr[cell]
        xval = self.X[rows][xr, cell_j] - self.mean[cell_j]
        rr = np.concatenate([mr, mr[a], xr])
        cc = np.concatenate([mc, k + pair, k + P + cell_j * k + mc[cell]])
        vv = np.concatenate([np.ones(mr.size + a.size), xval])
        return csr_array((vv, (rr, cc)), shape=(r, self.n_sparse))

    def alpha(self, D, S, N):
        k = self.k
        if self.complete:
            s1 = D[..., :k]
            var_items = D[..., k] - np.einsum("...j,...j->...", s1, s1) / N
            t1 = s1.sum(axis=-1)
            var_t = D[..., k + 1] - t1 * t1 / N
            with np.errstate(invalid="ignore", divide="ignore"):
                return (1 - var_items / var_t) * k / (k - 1)
        j, jl, P = self.j, self.jl, self.P
        N = D[..., :1]
        S1, SXX = D[..., 1:1 + k], D[..., 1 + k:]
        U, UU, XU = S[..., :k], S[..., k:k + P], S[..., k + P:]
        npair = N - U[..., j] - U[..., jl] + UU
        sa = S1[..., j] - XU[..., j * k + jl]
        sb = S1[..., jl] - XU[..., jl * k + j]
        with np.errstate(invalid="ignore", divide="ignore"):
            C = (SXX - sa * sb / npair) / (npair - 1)
            tr = C[..., j == jl].sum(axis=-1)
            tot = 2 * C.sum(axis=-1) - tr
            return (1 - tr / tot) * k / (k - 1)


def _pairs_within(mr: np.ndarray, mc: np.ndarray):
    """Indices (a, b) of the missing cells a, b in the same row with column a <= column b (cells sorted by row)."""
    if not mr.size:
        return mr, mr
    starts = np.flatnonzero(np.r_[True, mr[1:] != mr[:-1]])
    sizes = np.diff(np.r_[starts, mr.size])
    out_a, out_b = [], []
    for q in np.unique(sizes):
        first = starts[sizes == q]
        ia, ib = np.triu_indices(q)
        out_a.append((first[:, None] + ia).ravel())
        out_b.append((first[:, None] + ib).ravel())
    return np.concatenate(out_a), np.concatenate(out_b)


def _times(counts: np.ndarray, F) -> np.ndarray:
    """counts @ F for a dense array or a sparse matrix F (dense when more than a tenth of it is nonzero)."""
    if isinstance(F, np.ndarray):
        return counts @ F
    if F.nnz > 0.1 * F.shape[0] * F.shape[1]:
        return counts @ F.toarray()
    return (F.T @ counts.T).T


def _add_block(feat: _Features, w: Resamples, j: int, sums: list[np.ndarray], buffers: dict, pool=None) -> None:
    """Add  counts x features  of block j's rows to ``sums`` (the dense and the sparse sums, n_boot x features).

    When the block's dense features fit in :data:`_FEATURE_ELEMENTS` they are built once and the counts come
    :data:`PASS` resamples at a time (the counts buffer stays in cache). Otherwise (many items with missing
    cells: 1 + k + k(k+1)/2 dense features per row) they are built in pieces of rows, and the counts of as many
    resamples as fit in 32 MB are multiplied with each piece, so the pieces are rebuilt only every so many
    resamples. ``buffers`` keeps the counts buffers (one per pass length) from block to block; ``pool`` (a
    thread pool of two) multiplies the two halves of each pass's counts on two threads.
    """
    pos = w.positions(j)
    size = pos.stop - pos.start
    step_rows = max(1, _FEATURE_ELEMENTS // feat.n_dense)
    pieces = [slice(s, min(size, s + step_rows)) for s in range(0, size, step_rows)]

    def build(piece):
        return feat.both(slice(pos.start + piece.start, pos.start + piece.stop))

    cached = None
    if len(pieces) == 1:
        cached = [build(pieces[0])]
        # complete data: few features, a short pass keeps the counts in cache; many features: a longer pass
        # makes the product efficient (BLAS at ~2/3 of its peak with 32 rows, near it from 128)
        step = min((2 if pool is not None else 1) * (PASS if feat.complete else 4 * PASS), w.n_boot)
    else:
        step = min(w.n_boot, max(PASS, _COUNTS_ELEMENTS // size))
    if step not in buffers:
        buffers[step] = np.empty((step, BLOCK if w.n_blocks > 1 else w.n))
    W = buffers[step]

    def product(c, F):
        Fd, Fs = F
        return c @ Fd, (None if Fs is None else _times(c, Fs))

    for b0 in range(0, w.n_boot, step):
        counts = w.fill(j, b0, W[:min(step, w.n_boot - b0), :size])
        for p, piece in enumerate(pieces):
            F = cached[p] if cached is not None else build(piece)
            c = counts[:, piece] if len(pieces) > 1 else counts
            half = c.shape[0] // 2
            if pool is not None and half >= 8:
                halves = [slice(b0, b0 + half), slice(b0 + half, b0 + c.shape[0])]
                parts = list(pool.map(product, (c[:half], c[half:]), (F, F)))
            else:
                halves, parts = [slice(b0, b0 + c.shape[0])], [product(c, F)]
            for b, (d, sp) in zip(halves, parts):
                sums[0][b] += d
                if sp is not None:
                    sums[1][b] += sp


def bootstrap_alpha(X: np.ndarray, n_boot: int, seed, *, jackknife: bool = True, jack_groups: int | None = None):
    """Raw alpha on ``n_boot`` resamples of the rows, and the jackknife values for BCa if asked.

    Returns (boot, jack). Resample b draws row p ``dense_counts(n, n_boot, seed)[b, p]`` times (see
    :class:`Resamples`). ``jack`` has one value per jackknife group: alpha without that group's rows.
    ``jack_groups`` (default :func:`jackknife_groups`) = n gives the exact leave-one-out jackknife; fewer give
    the grouped (delete-d) jackknife over random groups of (nearly) equal size, drawn from ``seed``. Memory
    stays bounded by the block sizes, whatever n.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    feat = _Features(X)
    w = Resamples(n, n_boot, seed)
    if w.n_blocks == 1 and n * feat.n_dense <= _FEATURE_ELEMENTS:  # built once, for the jackknife too
        feat.full = feat.dense(slice(None)), feat.sparse(slice(None))
    lanes = [list(range(lane, w.n_blocks, _LANES)) for lane in range(_LANES)]
    workers = min(_LANES, os.cpu_count() or 1)

    def lane_sums(blocks, pool=None):
        total = [np.zeros((n_boot, feat.n_dense)), np.zeros((n_boot, feat.n_sparse))]
        buffers: dict = {}
        for j in blocks:
            _add_block(feat, w, j, total, buffers, pool)
        return total

    if workers > 1 and (w.n_blocks > 1 or not feat.complete):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            if w.n_blocks > 1:
                parts = list(pool.map(lane_sums, lanes))
            else:  # one block: its pieces of features are multiplied on the threads
                parts = [lane_sums(lanes[0], pool)]
    else:
        parts = [lane_sums(blocks) for blocks in lanes]
    D = sum(p[0] for p in parts)
    S = sum(p[1] for p in parts)
    boot = feat.alpha(D, S, float(n))
    jack = _jackknife(feat, jackknife_groups(n) if jack_groups is None else int(jack_groups), w) \
        if jackknife else None
    return boot, jack


def _jackknife(feat: _Features, n_groups: int, w: Resamples) -> np.ndarray:
    """alpha without each group's rows; groups are single rows when ``n_groups`` = n, else random and
    of sizes floor(n / n_groups) or one more (the rows in the order of ``w.aux.permutation(n)``, cut into
    consecutive runs). The groups' sums are subtracted from the full sample's, a run of groups at a time."""
    n = feat.X.shape[0]
    n_groups = max(1, min(n_groups, n))
    exact = n_groups == n
    visit = None if exact else w.aux.permutation(n)
    width = feat.n_dense + feat.n_sparse
    if not exact and feat.complete:
        # few features: each group's sums by weighted counting over the rows in their own order (no gather)
        label = np.empty(n, dtype=np.intp)
        label[visit] = np.arange(n) * n_groups // n
        G = np.zeros((n_groups, feat.n_dense))
        for rows in row_blocks(n, width, _JACK_ELEMENTS):
            for f, values in enumerate(feat.columns(rows)):  # the padding columns stay zero
                G[:, f] += np.bincount(label[rows], weights=values, minlength=n_groups)
        size = np.bincount(label, minlength=n_groups).astype(float)
        return feat.alpha(G.sum(axis=0) - G, None, n - size)
    D_all, S_all = np.zeros(feat.n_dense), np.zeros(feat.n_sparse)
    for rows in row_blocks(n, width, _JACK_ELEMENTS):
        Fd, Fs = feat.both(rows)
        D_all += Fd.sum(axis=0)
        if Fs is not None:
            S_all += Fs.sum(axis=0)
    out = np.empty(n_groups)
    per = max(1, _JACK_ELEMENTS // (width * -(-n // n_groups)))  # groups per run
    start = 0
    for g0 in range(0, n_groups, per):
        g1 = min(n_groups, g0 + per)
        stop = -(-g1 * n // n_groups)  # positions [start, stop) of the visiting order hold groups g0 .. g1 - 1
        rows = slice(start, stop) if exact else visit[start:stop]
        Gd, Gs = feat.both(rows)
        size = 1.0
        if not exact:  # sum each group's rows (consecutive along the visiting order): a sparse 0/1 product
            from scipy.sparse import csr_array

            label = np.arange(start, stop) * n_groups // n - g0
            size = np.bincount(label, minlength=g1 - g0).astype(float)
            member = csr_array((np.ones(stop - start), np.arange(stop - start),
                                np.r_[0, np.cumsum(size, dtype=np.int64)]), shape=(g1 - g0, stop - start))
            Gd = member @ Gd
            if Gs is not None:
                Gs = member @ Gs  # still sparse: densified per group, not per row
        Gs = S_all[None, :0] if Gs is None else Gs.toarray()
        out[g0:g1] = feat.alpha(D_all - Gd, S_all - Gs, n - size)
        start = stop
    return out


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
