"""The generating model of the sample data: its parameters and its building blocks.

Every sample in ``data-samples/`` comes from one model with known true
parameters (:class:`ModelParameters`). This module holds the pieces: the latent
alliance of each dyad over sessions (:func:`draw_latent`), rupture-and-repair
episodes (:func:`draw_ruptures`), and the factor model that turns latent facets
into the ordinal item responses of a shipped instrument
(:func:`item_parameters`, :func:`draw_items`). :mod:`toolkit.samples.generator`
assembles them into tables.

The latent scale
----------------
For dyad *i*, rater *r* (client or therapist), facet *f* (task, bond, goal) and
session *s* (1, 2, ...)::

    eta[i, s, r, f] = mu_r + T[therapist(i)] + b[i, r, f] + g[i, r] * (s - 1)
                      + o[i, s, r] + u[i, s, r, f] - rupture[i, s, r]

* ``mu_r``: rater mean (``client_mean``, ``therapist_mean``);
* ``T``: therapist effect, shared by both views of all the therapist's dyads;
* ``b``: dyad effects, normal with SD ``dyad_sd``, facets correlated
  ``facet_corr``, client and therapist views of the same facet correlated
  ``rater_corr`` (other facet: ``rater_corr * facet_corr``);
* ``g``: per-dyad slope per session (``slope_mean_*``, ``slope_sd``);
* ``o``: occasion deviation of the session, common to the facets, client and
  therapist correlated ``rater_corr``; ``u``: facet-specific occasion noise;
* ``rupture``: see :func:`draw_ruptures`.

At session 1 the latent variance is about 1, so ``client_mean`` is close to a
standardised mean difference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "FACETS",
    "ModelParameters",
    "draw_latent",
    "draw_ruptures",
    "apply_ruptures",
    "item_parameters",
    "draw_items",
    "draw_lines",
]

#: Latent facets (Bordin 1979), named like the WAI subscale ids.
FACETS = ("task", "bond", "goal")


@dataclass(frozen=True)
class ModelParameters:
    """True parameters of the sample-data generator (all on the latent scale unless said).

    The defaults are the ones the shipped samples were drawn with. Some of them
    were calibrated by simulation (30,000-40,000 study-A and 100,000 study-B dyads) so that the *observed*
    scores show the published effects: ``client_mean`` (clients rate higher,
    d = .40 on WAI-36 totals), ``rater_corr`` (client-therapist r = .36 of
    WAI-36 totals, Tryon et al. 2007), ``ors_alliance_between`` (r = .28 between
    the WAI-SR total of session s - 1 and the ORS total of session s,
    Flückiger et al. 2018), ``srs_person_sd`` (SRS-WAI-SR r about .60) and ``srs_mean``
    (SRS totals averaging about 36.5, bunched at the top of the scale; ORS and SRS norms in
    ``data-samples/README.md``).

    Replace any of them with :func:`dataclasses.replace` and pass the result to
    :func:`toolkit.samples.simulate` as ``params``. The meaning of every field is
    in ``toolkit.samples.readme.PARAMETER_MEANINGS`` and ``data-samples/README.md``.

    Notes
    -----
    The true values of the shipped samples, in short: latent facets correlate
    .80 within a rater (observed subscale scores about .72); client and therapist
    dyad and session effects correlate .35; clients' latent mean is .375 above
    therapists' (latent SD about 1 at session 1); alliance grows .04 (client) and
    .03 (therapist) latent SD per session, SD .03 across dyads; 30% of study-A
    dyads have a rupture of 3-4 within-person SDs, repaired in 1-3 sessions;
    items load .65-.85 (reverse-keyed .60-.72); ORS starts at 19.6 (SD 7), gains
    .62 points per session, plus 1.5 points per latent unit of the previous
    session's client alliance above the client's own mean (within-person effect) and 2.85 points per
    latent unit of the client's mean alliance (between-person effect).

    Examples
    --------
    >>> import dataclasses
    >>> from toolkit.samples import ModelParameters
    >>> p = dataclasses.replace(ModelParameters(), rupture_share=0.5)
    >>> p.rupture_share, round(p.within_sd, 3)
    (0.5, 0.492)
    """

    # --- latent alliance ---------------------------------------------------------
    client_mean: float = 0.375
    therapist_mean: float = 0.0
    therapist_effect_sd: float = 0.25
    dyad_sd: float = 0.80
    facet_corr: float = 0.80
    rater_corr: float = 0.35
    occasion_sd: float = 0.47
    facet_occasion_sd: float = 0.25
    slope_mean_client: float = 0.040
    slope_mean_therapist: float = 0.030
    slope_sd: float = 0.030
    # --- measurement model (items) -----------------------------------------------
    loading_low: float = 0.65
    loading_high: float = 0.85
    reversed_loading_low: float = 0.60
    reversed_loading_high: float = 0.72
    item_location: float = 0.55
    item_intercept_sd: float = 0.25
    # --- ruptures (study A, session series) ----------------------------------------
    rupture_share: float = 0.30
    second_rupture_share: float = 0.25
    rupture_depth_low: float = 3.0
    rupture_depth_high: float = 4.0
    repair_sessions: tuple[int, ...] = (1, 2, 3)
    therapist_rupture_share: float = 0.5
    # --- observer (WAI-36 observer form) -------------------------------------------
    observer_mean: float = 0.20
    observer_client_weight: float = 0.45
    observer_therapist_weight: float = 0.45
    observer_noise_sd: float = 0.55
    # --- outcome (ORS total, 0-40) -------------------------------------------------
    ors_intake_mean: float = 19.6
    ors_intake_sd: float = 7.0
    ors_growth_mean: float = 0.62
    ors_growth_sd: float = 0.35
    ors_alliance_within: float = 1.5
    ors_alliance_between: float = 2.85
    ors_noise_sd: float = 3.0
    ors_line_sd: float = 1.0
    # --- session rating (SRS total, 0-40) ---------------------------------------------
    srs_mean: float = 37.3
    srs_person_sd: float = 3.4
    srs_alliance_effect: float = 3.2
    srs_noise_sd: float = 1.2
    srs_line_sd: float = 0.5
    # --- design -------------------------------------------------------------------
    min_sessions: int = 6
    max_sessions: int = 20
    dropout_share: float = 0.15
    dropout_min_sessions: int = 2
    dropout_max_sessions: int = 5
    clients_per_therapist: int = 10
    missed_client_form: float = 0.06
    missed_therapist_form: float = 0.10
    missed_srs_ors: float = 0.04
    missed_srs_only: float = 0.02
    missing_item_rate: float = 0.015
    validation_session: int = 3
    observer_share: float = 0.20

    @property
    def within_sd(self) -> float:
        """Within-person SD of the latent total (mean of the facets) around its trend."""
        return float(np.sqrt(self.occasion_sd**2 + self.facet_occasion_sd**2 / len(FACETS)))

    @property
    def latent_variance_session1(self) -> float:
        """Variance of one latent facet at session 1 (therapist + dyad + occasion parts)."""
        return float(
            self.therapist_effect_sd**2 + self.dyad_sd**2 + self.occasion_sd**2 + self.facet_occasion_sd**2
        )

    def to_dict(self) -> dict:
        out = asdict(self)
        out["repair_sessions"] = list(self.repair_sessions)
        out["within_sd"] = self.within_sd
        out["latent_variance_session1"] = self.latent_variance_session1
        return out


def _between_cov(p: ModelParameters) -> np.ndarray:
    """6 x 6 covariance of the dyad effects (client task/bond/goal, therapist task/bond/goal)."""
    n_f = len(FACETS)
    corr = np.empty((2 * n_f, 2 * n_f))
    for a in range(2 * n_f):
        for c in range(2 * n_f):
            same_rater, same_facet = a // n_f == c // n_f, a % n_f == c % n_f
            if same_rater:
                corr[a, c] = 1.0 if same_facet else p.facet_corr
            else:
                corr[a, c] = p.rater_corr * (1.0 if same_facet else p.facet_corr)
    return p.dyad_sd**2 * corr


def draw_latent(n_dyads: int, n_sessions: int, therapist: np.ndarray, n_therapists: int,
                p: ModelParameters, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Draw the latent alliance ``eta`` of shape (dyad, session, rater, facet).

    Rater 0 is the client, rater 1 the therapist; facets follow :data:`FACETS`.
    Returns ``eta`` (without ruptures) and the random effects drawn (dict of arrays).
    """
    n_f = len(FACETS)
    t_eff = rng.normal(0.0, p.therapist_effect_sd, n_therapists)
    chol = np.linalg.cholesky(_between_cov(p))
    b = (rng.standard_normal((n_dyads, 2 * n_f)) @ chol.T).reshape(n_dyads, 2, n_f)
    slope = np.column_stack([
        rng.normal(p.slope_mean_client, p.slope_sd, n_dyads),
        rng.normal(p.slope_mean_therapist, p.slope_sd, n_dyads),
    ])
    z = rng.standard_normal((n_dyads, n_sessions, 2))
    occ = np.empty_like(z)
    occ[..., 0] = z[..., 0]
    occ[..., 1] = p.rater_corr * z[..., 0] + np.sqrt(1 - p.rater_corr**2) * z[..., 1]
    occ *= p.occasion_sd
    u = rng.normal(0.0, p.facet_occasion_sd, (n_dyads, n_sessions, 2, n_f))
    mu = np.array([p.client_mean, p.therapist_mean])
    time = np.arange(n_sessions, dtype=float)
    eta = (
        mu[None, None, :, None]
        + t_eff[therapist][:, None, None, None]
        + b[:, None, :, :]
        + (slope[:, None, :] * time[None, :, None])[..., None]
        + occ[..., None]
        + u
    )
    return eta, {"therapist_effect": t_eff, "dyad_effect": b, "slope": slope}


def draw_ruptures(n_sessions_of_dyad: np.ndarray, p: ModelParameters, rng: np.random.Generator) -> list[dict]:
    """Draw rupture-and-repair episodes.

    A share ``rupture_share`` of dyads (with at least 5 sessions) has one
    episode, and ``second_rupture_share`` of those a second one. At session
    ``session`` the client's latent alliance (all facets) drops by ``depth``
    within-person SDs (uniform between ``rupture_depth_low`` and
    ``rupture_depth_high``); it recovers linearly and is back on the dyad's
    trend at ``repair_session = session + L``, L drawn from ``repair_sessions``.
    The therapist's view drops by ``therapist_rupture_share`` of the depth.
    Episodes do not overlap and are over by the dyad's last session.
    """
    episodes = []
    for i, n_s in enumerate(n_sessions_of_dyad):
        if n_s < 5 or rng.random() >= p.rupture_share:
            continue
        k = 2 if (n_s >= 12 and rng.random() < p.second_rupture_share) else 1
        start = 3
        for _ in range(k):
            length = int(rng.choice(p.repair_sessions))
            last_start = int(n_s) - length
            if last_start < start:
                break
            session = int(rng.integers(start, last_start + 1))
            depth = float(rng.uniform(p.rupture_depth_low, p.rupture_depth_high))
            episodes.append({"dyad": i, "session": session, "depth_sd": depth,
                             "depth_latent": depth * p.within_sd, "repair_session": session + length})
            start = session + length + 2
    return episodes


def apply_ruptures(eta: np.ndarray, episodes: list[dict], p: ModelParameters) -> np.ndarray:
    """Return a copy of ``eta`` with the rupture episodes subtracted."""
    out = eta.copy()
    for ep in episodes:
        length = ep["repair_session"] - ep["session"]
        for k in range(length):
            drop = ep["depth_latent"] * (1 - k / length)
            s = ep["session"] - 1 + k
            out[ep["dyad"], s, 0, :] -= drop
            out[ep["dyad"], s, 1, :] -= p.therapist_rupture_share * drop
    return out


def item_parameters(instrument, form: str | None, p: ModelParameters, rng: np.random.Generator) -> dict:
    """Draw the factor-model parameters of one instrument form, driven by its definition.

    Each item loads on the latent facet named by its subscale (``instrument.keys``)
    with a loading uniform on [``loading_low``, ``loading_high``]
    ([``reversed_loading_low``, ``reversed_loading_high``] for reverse-keyed items),
    has intercept ``item_location + d_j - mean(d)``, ``d_j ~ N(0, item_intercept_sd)``
    (centred, so forms differ only through the latent means), and is cut into the
    form's ordinal categories at the normal quantiles ``k / K`` (K categories).
    """
    scale = instrument.scale_for(form)
    if scale is None or scale.type != "ordinal":
        kind = "no response scale" if scale is None else f"a {scale.type} response scale"
        raise ValueError(
            f"{instrument.id} form {form!r} has {kind}; the item simulator needs an ordinal scale "
            "(visual-analogue lines are drawn by draw_lines)"
        )
    reversed_items = set(instrument.reversed_items)
    n = instrument.n_items
    loose = [it.number for it in instrument.items if it.subscale is None]
    if loose:
        raise ValueError(
            f"{instrument.id}: items {loose} belong to no subscale; the simulator needs every item "
            f"keyed to one of the facets {FACETS}"
        )
    other = sorted(set(instrument.subscale_ids) - set(FACETS))
    if other:
        raise ValueError(
            f"{instrument.id}: subscales {other} are not simulated facets; the simulator knows {FACETS}"
        )
    facet = np.array([FACETS.index(it.subscale) for it in sorted(instrument.items, key=lambda it: it.number)])
    rev = np.array([k + 1 in reversed_items for k in range(n)])
    loading = np.where(
        rev,
        rng.uniform(p.reversed_loading_low, p.reversed_loading_high, n),
        rng.uniform(p.loading_low, p.loading_high, n),
    )
    dev = rng.normal(0.0, p.item_intercept_sd, n)
    intercept = p.item_location + dev - dev.mean()  # centred: the form's mean intercept is item_location
    n_cat = len(scale.points)
    thresholds = [NormalDist().inv_cdf(k / n_cat) for k in range(1, n_cat)]
    return {
        "instrument": instrument.id,
        "form": form,
        "facet": [FACETS[f] for f in facet],
        "reversed": rev.tolist(),
        "loading": loading.tolist(),
        "intercept": intercept.tolist(),
        "thresholds": thresholds,
        "scale_min": scale.min,
        "scale_max": scale.max,
        "scale_step": scale.effective_step,
    }


def draw_items(eta: np.ndarray, params: dict, rng: np.random.Generator) -> np.ndarray:
    """Item responses (rows x items) from latent facets ``eta`` (rows x 3).

    ``y* = intercept + loading * eta[facet] + sqrt(1 - loading**2) * e``, cut at the
    thresholds into categories; reverse-keyed items are written reversed,
    ``(min + max) - x``, so that reversing them recovers the keyed direction.
    """
    facet = np.array([FACETS.index(f) for f in params["facet"]])
    lam = np.asarray(params["loading"])
    nu = np.asarray(params["intercept"])
    ystar = nu + lam * eta[:, facet] + np.sqrt(1 - lam**2) * rng.standard_normal((eta.shape[0], lam.size))
    cat = np.searchsorted(np.asarray(params["thresholds"]), ystar)
    x = params["scale_min"] + cat * params["scale_step"]
    rev = np.asarray(params["reversed"])
    x[:, rev] = params["scale_min"] + params["scale_max"] - x[:, rev]
    return x.astype(float)


def draw_lines(total: np.ndarray, n_lines: int, line_sd: float, rng: np.random.Generator) -> np.ndarray:
    """Visual-analogue lines (0-10, 0.1 resolution) whose sum tracks a latent total (0-40)."""
    lines = total[:, None] / n_lines + rng.normal(0.0, line_sd, (total.size, n_lines))
    return np.round(np.clip(lines, 0.0, 10.0), 1)
