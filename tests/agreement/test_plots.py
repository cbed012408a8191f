"""Plots take ``ax=`` and return the Axes they drew on; the ``*_data`` functions give the numbers drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.dyadic import APIM, ResponseSurface, bland_altman
from toolkit.exceptions import InvalidParameterError, NotFittedError
from toolkit.dyadic.plots import (bland_altman_data, plot_bland_altman, plot_profile, plot_scatter,
                                     plot_surface, profile_data, scatter_data)

from ._data import stored, study_a_pairs, study_b_pairs


def test_scatter_marks_the_dyad_and_draws_the_identity(tmp_path):
    from matplotlib.axes import Axes

    p = study_b_pairs()
    ax = plot_scatter(p, "bond", dyad="B002")
    assert isinstance(ax, Axes)
    fig, data = ax.figure, scatter_data(p, "bond", dyad="B002")
    assert data.columns.tolist() == ["dyad_id", "session", "x", "y", "marked"]
    assert data.loc[data["marked"], "dyad_id"].tolist() == ["B002"]
    w = p.wide.dropna(subset=["client_bond", "therapist_bond"])
    # two statements: assert_allclose returns None, so "a and b" never ran the second check
    np.testing.assert_allclose(data["x"], w["client_bond"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(data["y"], w["therapist_bond"], rtol=0, atol=1e-12)
    line = ax.lines[0].get_xydata()
    assert (line[:, 0] == line[:, 1]).all()  # identity line
    assert len(ax.collections) == 2  # all pairs + the marked dyad
    fig.savefig(tmp_path / "scatter.png")
    assert (tmp_path / "scatter.png").stat().st_size > 1000
    assert plot_scatter(p, "bond", dyad="B003", ax=ax) is ax  # redraw into the same axes
    assert len(ax.collections) == 2
    marked = ax.collections[1].get_offsets()
    again = scatter_data(p, "bond", dyad="B003")
    np.testing.assert_allclose(marked, again.loc[again["marked"], ["x", "y"]].to_numpy())


def test_bland_altman_data_and_lines():
    p = study_b_pairs()
    ax = plot_bland_altman(p, "total", dyad="B001")
    data = bland_altman_data(p, "total", dyad="B001")
    points = data.points
    w = p.wide.dropna(subset=["client_total", "therapist_total"])
    np.testing.assert_allclose(points["diff"], w["client_total"] - w["therapist_total"])
    np.testing.assert_allclose(points["mean"], (w["client_total"] + w["therapist_total"]) / 2)
    lim = data.limits
    expected = bland_altman(w["client_total"], w["therapist_total"])
    pd.testing.assert_frame_equal(lim.lines, expected.lines)
    ys = sorted(round(line.get_ydata()[0], 9) for line in ax.lines)
    assert ys == sorted(round(v, 9) for v in (lim.bias, lim.loa_low, lim.loa_high, 0.0))
    assert bland_altman_data(p, "goal", multiplier="normal").limits.k == pytest.approx(1.959964, 1e-6)
    assert data.tables["lines"].index.tolist() == ["bias", "loa_low", "loa_high"]


def test_profile_of_one_dyad_and_session():
    p = study_a_pairs()
    ax = plot_profile(p, "A001", 3)
    data = profile_data(p, "A001", 3)
    assert data["subscale"].tolist() == ["task", "bond", "goal", "total"]
    assert (data["session"] == 3).all()
    assert data["diff"].tolist() == (data["client"] - data["therapist"]).tolist()
    assert len(ax.patches) == 6  # 3 subscales x 2 raters (total left out)
    latest = profile_data(p, "A001")
    assert latest["session"].iloc[0] == p.wide.query("dyad_id == 'A001'")["session"].max()
    means = p.paired.groupby("subscale")["client"].mean()
    assert latest.set_index("subscale")["sample_client"].to_dict() == pytest.approx(means.to_dict())
    assert len(plot_profile(p, "A001", 3, include_total=True).patches) == 8


def test_plot_errors():
    p = study_b_pairs()
    with pytest.raises(KeyError, match=r"subscale 'rapport' is not among the paired scores \['task', 'bond', "
                                       r"'goal', 'total'\]"):
        plot_scatter(p, "rapport")
    with pytest.raises(KeyError, match=r"dyad 'X1' is not among the 500 paired dyads"):
        plot_bland_altman(p, "total", dyad="X1")
    with pytest.raises(KeyError, match=r"rater\(s\) \['observer'\] not in the pairs; raters are \['client', "
                                       r"'therapist'\]"):
        scatter_data(p, "total", raters=("client", "observer"))
    with pytest.raises(InvalidParameterError, match=r"plots need the PairedRatings from pair_raters \(got "
                                                    r"DataFrame\)"):
        plot_profile(p.paired, "B001")


@pytest.mark.filterwarnings("ignore::toolkit.exceptions.IncompleteRowsWarning")
def test_surface_plot_draws_the_grid():
    rs = ResponseSurface("ors_next", "client", "therapist", center=50).fit(stored("rsa_sample"))
    ax = plot_surface(rs, n=11, lo=0, hi=100)
    grid = rs.grid(11, lo=0, hi=100)
    assert grid.shape == (121, 3) and grid["x"].min() == 0 and grid["y"].max() == 100
    assert grid["z"].to_numpy() == pytest.approx(rs.predict(grid["x"], grid["y"]))
    inc = ax.lines[1].get_xydata()
    assert (inc[:, 0] + inc[:, 1] == 100).all()
    with pytest.raises(NotFittedError, match=r"This ResponseSurface is not fitted yet: call \.fit\(data\) before "
                                             r"using plot_surface\(\)"):
        plot_surface(ResponseSurface())
    with pytest.raises(InvalidParameterError, match=r"plot_surface needs a fitted ResponseSurface \(got APIM\)"):
        plot_surface(APIM())
