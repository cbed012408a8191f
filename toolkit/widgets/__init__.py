"""Notebook widgets (ipywidgets): thin wiring over the toolkit's functions.

``ipywidgets`` is imported here only, never by ``import toolkit``.
"""

from .compare import RaterComparison, compare_raters
from .dashboard import ClinicDashboard, clinic_dashboard
from .form import QuestionnaireForm, questionnaire_form

__all__ = ["compare_raters", "RaterComparison", "questionnaire_form", "QuestionnaireForm", "clinic_dashboard",
           "ClinicDashboard"]
