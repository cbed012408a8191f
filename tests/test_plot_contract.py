"""Every plot of the toolkit takes ``ax=`` and returns the Axes it drew on (the one-voice contract).

The plots of the factor package are checked in tests/factor/test_contract.py with fitted models; here the
agreement and session plots are drawn into given axes, and a discovery check fails when a new public
``plot_*`` function appears that none of the two tests draws.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

import toolkit

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

CHECKED_HERE = {"plot_scatter", "plot_bland_altman", "plot_profile", "plot_surface", "plot_trajectory",
                "plot_trajectories", "plot_caseload", "plot_timeline"}
CHECKED_IN_FACTOR = {"scree_plot", "loadings_heatmap", "factor_diagram"}
CHECKED_IN_CFA = {"path_diagram"}  # tests/test_plot_contract.py::test_cfa_path_diagram_returns_the_given_axes


def _public_plots():
    found = {}
    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or ".widgets" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # optional extras (e.g. Dask) not installed
            continue
        for name, obj in vars(module).items():
            if inspect.isfunction(obj) and not name.startswith("_") and (
                    name.startswith("plot_") or name.endswith(("_plot", "_heatmap", "_diagram"))):
                found.setdefault(name, obj)
    return found


def test_every_public_plot_is_checked_and_takes_ax():
    plots = _public_plots()
    assert CHECKED_HERE | CHECKED_IN_FACTOR | CHECKED_IN_CFA <= set(plots), "the discovery misses known plots"
    unchecked = set(plots) - CHECKED_HERE - CHECKED_IN_FACTOR - CHECKED_IN_CFA
    assert not unchecked, f"plot functions not covered by the ax= contract tests: {sorted(unchecked)}"
    for name, fn in plots.items():
        assert "ax" in inspect.signature(fn).parameters, f"{name} takes no ax="


def _draws(draw):
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert draw(ax) is ax
    return ax


def test_agreement_plots_return_the_given_axes():
    from toolkit.dyadic import ResponseSurface
    from toolkit.dyadic.plots import plot_bland_altman, plot_profile, plot_scatter, plot_surface

    p = toolkit.pair_raters(toolkit.load_sample("wai36_client_therapist"), instrument_client="wai36")
    _draws(lambda ax: plot_scatter(p, "bond", dyad="B002", ax=ax))
    _draws(lambda ax: plot_bland_altman(p, "total", ax=ax))
    _draws(lambda ax: plot_profile(p, "B001", ax=ax))
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"client": rng.normal(size=40), "therapist": rng.normal(size=40),
                      "outcome": rng.normal(size=40)})
    _draws(lambda ax: plot_surface(ResponseSurface().fit(d), n=8, ax=ax))


def test_session_plots_return_the_given_axes():
    from matplotlib.figure import Figure

    from toolkit.exceptions import InvalidParameterError
    from toolkit.sessions import caseload_summary, session_alerts, trajectories
    from toolkit.sessions.plots import plot_caseload, plot_timeline, plot_trajectories, plot_trajectory

    d = pd.DataFrame({"client_id": ["a", "a", "b", "b"], "session": [1, 2, 1, 2], "srs": [30.0, 34, 32, 38]})
    t = trajectories(d, "srs")
    _draws(lambda ax: plot_trajectory(t, "a", ax=ax))
    _draws(lambda ax: plot_trajectories(t, ax=ax))
    items = pd.DataFrame({"client_id": ["a", "b"], "session": 1, "srs_01": [9.5, 7.0], "srs_02": 9.5,
                          "srs_03": 9.5, "srs_04": 9.5})
    _draws(lambda ax: plot_caseload(caseload_summary(session_alerts(items, "srs")), ax=ax))
    axes = Figure().subplots(2, 1)
    drawn = plot_timeline({"SRS": t, "again": t}, "a", ax=axes)
    assert list(drawn) == list(axes)
    with pytest.raises(InvalidParameterError, match=r"'ax' must be 2 Axes, top to bottom; got 1"):
        plot_timeline({"SRS": t, "again": t}, "a", ax=axes[:1])


def test_cfa_path_diagram_returns_the_given_axes():
    from toolkit.factor.cfa import CFA, path_diagram

    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 1)) * 0.8 + rng.normal(scale=0.6, size=(200, 4))
    fit = CFA("f =~ a + b + c + d").fit(pd.DataFrame(x, columns=list("abcd")))
    _draws(lambda ax: path_diagram(fit, ax=ax))
