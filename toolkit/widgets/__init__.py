"""Notebook widgets (ipywidgets): thin wiring over the toolkit's functions.

``ipywidgets`` is imported here only, never by ``import toolkit``.
"""

from .compare import RaterComparison, compare_raters
from .form import QuestionnaireForm, questionnaire_form

__all__ = ["compare_raters", "RaterComparison", "questionnaire_form", "QuestionnaireForm"]
