"""A CFA for ordered items written out by hand (tests only, independent of the CFA engine).

lavaan's delta parameterization with marker loadings: per group, the free parameters are the non-marker
loadings (factor by factor), every threshold, the factor variances and then the factor covariances -- the
order of lavaan's parameter table. The implied statistics are the thresholds themselves and the
off-diagonal elements of Lambda Psi Lambda' (the residual variances 1 - diag(Lambda Psi Lambda') make the
diagonal 1 and are not parameters). The Jacobian is written out analytically.
"""

from __future__ import annotations

import numpy as np


class DeltaCFA:
    """Simple-structure CFA of ordered items for one or more groups.

    ``factors`` maps a factor to its items (the first is the marker). ``samples`` are OrdinalSample objects
    (one per group). With ``equal_loadings`` the loadings of every group after the first are constrained to
    equal the first group's (lavaan's ``group.equal = "loadings"``); ``constraints`` holds the rows.
    ``equal_thresholds`` ties the thresholds the same way (without lavaan's scale factors: a test device).
    """

    def __init__(self, samples, factors: dict, equal_loadings: bool = False, equal_thresholds: bool = False):
        self.samples = list(samples)
        self.factors = list(factors)
        items = list(self.samples[0].items)
        self.p, self.k = len(items), len(self.factors)
        self.lam_pos = []  # (item index, factor index) of free loadings
        self.marker = []
        for f, its in enumerate(factors.values()):
            self.marker.append((items.index(its[0]), f))
            for it in its[1:]:
                self.lam_pos.append((items.index(it), f))
        self.psi_pos = [(f, f) for f in range(self.k)] + [(f, g) for f in range(self.k) for g in range(f + 1, self.k)]
        self.n_lam, self.n_psi = len(self.lam_pos), len(self.psi_pos)
        self.nth = [s.n_thresholds for s in self.samples]
        self.sizes = [self.n_lam + nth + self.n_psi for nth in self.nth]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.q = int(self.offsets[-1])
        self.names = []
        for g, s in enumerate(self.samples):
            grp = g + 1
            self.names += [(self.factors[f], "=~", items[i], grp) for i, f in self.lam_pos]
            self.names += [(nm.split("|")[0], "|", nm.split("|")[1], grp) for nm in s.threshold_names]
            self.names += [(self.factors[f], "~~", self.factors[h], grp) for f, h in self.psi_pos]
        self.constraints = None
        tied = (list(range(self.n_lam)) if equal_loadings else []) + \
               (list(range(self.n_lam, self.n_lam + self.nth[0])) if equal_thresholds else [])
        if tied and len(self.samples) > 1:
            rows = []
            for g in range(1, len(self.samples)):
                for j in tied:
                    r = np.zeros(self.q)
                    r[self.offsets[0] + j] = 1.0
                    r[self.offsets[g] + j] = -1.0
                    rows.append(r)
            self.constraints = np.array(rows)
        self.a, self.b = np.triu_indices(self.p, 1)

    def _unpack(self, theta, g):
        t = theta[self.offsets[g]:self.offsets[g + 1]]
        lam = np.zeros((self.p, self.k))
        for i, f in self.marker:
            lam[i, f] = 1.0
        for j, (i, f) in enumerate(self.lam_pos):
            lam[i, f] = t[j]
        th = t[self.n_lam:self.n_lam + self.nth[g]]
        psi = np.zeros((self.k, self.k))
        for j, (f, h) in enumerate(self.psi_pos):
            psi[f, h] = psi[h, f] = t[self.n_lam + self.nth[g] + j]
        return lam, th, psi

    def start(self):
        out = []
        for s in self.samples:
            out += [0.7] * self.n_lam + list(s.thresholds) + [0.5 if f == h else 0.2 for f, h in self.psi_pos]
        return np.array(out)

    def implied(self, theta):
        out = []
        for g in range(len(self.samples)):
            lam, th, psi = self._unpack(theta, g)
            sig = lam @ psi @ lam.T
            out.append(np.concatenate([th, sig[self.b, self.a]]))
        return out

    def jacobian(self, theta):
        out = []
        a, b = self.a, self.b
        for g in range(len(self.samples)):
            lam, th, psi = self._unpack(theta, g)
            nth = self.nth[g]
            d = np.zeros((nth + len(a), self.q))
            off = self.offsets[g]
            d[np.arange(nth), off + self.n_lam + np.arange(nth)] = 1.0
            lp = lam @ psi  # (p, k): d rho_ab / d lambda_{a f} = (Lambda Psi)_{b f}
            for j, (i, f) in enumerate(self.lam_pos):
                col = np.zeros(len(a))
                col += np.where(a == i, lp[b, f], 0.0)
                col += np.where(b == i, lp[a, f], 0.0)
                d[nth:, off + j] = col
            for j, (f, h) in enumerate(self.psi_pos):
                if f == h:
                    col = lam[a, f] * lam[b, f]
                else:
                    col = lam[a, f] * lam[b, h] + lam[a, h] * lam[b, f]
                d[nth:, off + self.n_lam + nth + j] = col
            out.append(d)
        return out
