"""Notebook widgets (ipywidgets): thin wiring over the toolkit's functions.

``ipywidgets`` is imported here only, never by ``import toolkit``.
"""

from .caseload import CaseloadView, caseload_view
from .compare import RaterComparison, compare_raters
from .dashboard import ClinicDashboard, clinic_dashboard
from .form import QuestionnaireForm, questionnaire_form
from .timeline import SessionTimeline, session_timeline

__all__ = ["compare_raters", "RaterComparison", "questionnaire_form", "QuestionnaireForm"]
__all__ += ["session_timeline", "SessionTimeline", "caseload_view", "CaseloadView"]
__all__ += ["clinic_dashboard", "ClinicDashboard"]
