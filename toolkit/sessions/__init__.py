"""Session by session: trajectories, ruptures and repairs, sudden gains and losses, feedback alerts and
clinical change, alliance-outcome mixed models.

Every function reads a long table (one row per client, or client and rater, and session) through one checker
(:mod:`toolkit.sessions._panel`): missing sessions stay gaps and are reported, never interpolated.
"""

from .alerts import Alerts, Caseload, ClinicalChange, caseload_summary, clinical_change, session_alerts
from .episodes import Episodes, combine_episodes, detection_rates
from .mixed import MixedModel, MixedModelResult, mixed_model
from .partitioned import collect
from .predictors import add_lags, person_mean_center
from .plots import mean_trajectory, plot_trajectories, plot_trajectory
from .ruptures import drop_below_running_mean, pooled_within_sd
from .series import Trajectories, session_scores, trajectories
from .sudden import sudden_gains, sudden_losses

__all__ = ["session_scores", "trajectories", "Trajectories", "plot_trajectory", "plot_trajectories",
           "mean_trajectory", "drop_below_running_mean", "pooled_within_sd", "sudden_gains", "sudden_losses",
           "Episodes", "combine_episodes", "detection_rates", "session_alerts", "Alerts", "clinical_change",
           "ClinicalChange", "caseload_summary", "Caseload", "add_lags", "person_mean_center", "MixedModel",
           "MixedModelResult", "mixed_model", "collect"]
