"""The path diagram draws every path of the model, in the layout of its family."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from toolkit.exceptions import HeywoodWarning, InvalidParameterError  # noqa: E402
from toolkit.factor.cfa import CFA, path_diagram  # noqa: E402

from .conftest import HS_MODEL  # noqa: E402


def _numbers(ax):
    return [t.get_text() for t in ax.texts if t.get_text().replace(".", "", 1).replace("-", "", 1).isdigit()]


def test_correlated_second_order_and_bifactor(hs, artifacts_dir):
    import matplotlib.pyplot as plt

    corr = CFA(HS_MODEL, std_lv=True).fit(hs)
    second = CFA(HS_MODEL + "\n g =~ visual + textual + speed", std_lv=True).fit(hs)
    with pytest.warns(HeywoodWarning, match="x1"):  # the HS bifactor model has a Heywood case, in lavaan too
        bif = CFA("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n" + HS_MODEL, std_lv=True,
                  orthogonal=True).fit(hs)
    fig, axes = plt.subplots(3, 1, figsize=(9, 11))
    a1 = path_diagram(corr, ax=axes[0])
    a2 = path_diagram(second, ax=axes[1], residuals=True)
    a3 = path_diagram(bif, ax=axes[2], standardized=False)
    fig.savefig(artifacts_dir / "cfa_path_diagrams.png", dpi=70)
    assert len(_numbers(a1)) == 9 + 3              # loadings and factor correlations
    assert len(_numbers(a2)) == 9 + 3 + 9          # loadings, second-order loadings, residual variances
    assert len(_numbers(a3)) == 18                 # general + specific loadings; zero covariances not drawn
    y = {t.get_text(): t.get_position()[1] for t in a3.texts}
    assert y["g"] > y["x1"] > y["visual"]          # bifactor: general on top, specific factors under the items
    plt.close(fig)


def test_group_choice(hs):
    fit = CFA(HS_MODEL).fit(hs, group="school")
    ax = path_diagram(fit, group="Grant-White")
    assert "Grant-White" in ax.get_title()
    with pytest.raises(InvalidParameterError, match="'group' parameter of path_diagram"):
        path_diagram(fit, group="Elsewhere")
