"""Exceptions and warnings raised by alliance-toolkit.

Every error names the thing that is wrong, what was expected, what was found and
the fix. Data errors list *every* bad cell at once; the full table of problems is
kept on the exception (``err.report``) so a notebook user can inspect it.
"""

from __future__ import annotations

__all__ = [
    "AllianceError",
    "InstrumentDefinitionError",
    "UnknownInstrumentError",
    "UnverifiedKeyError",
    "FormChoiceError",
    "ItemMappingError",
    "DataValidationError",
    "UnknownSampleError",
    "FileExistsRefusal",
    "ConverterNotFoundError",
    "AllianceWarning",
    "InvalidCellsWarning",
    "KeyConfidenceWarning",
    "UnmatchedColumnsWarning",
    "UnreadableFileError",
    "ValueLabelWarning",
    "FileContentWarning",
    "InvalidParameterError",
    "NotFittedError",
    "NotebookMarkupError",
]


class AllianceError(Exception):
    """Base class of every error raised on purpose by the toolkit."""


class InstrumentDefinitionError(AllianceError, ValueError):
    """An instrument definition file is malformed.

    The message names the file, the field (as a dotted path such as
    ``items[3].subscale``), what is wrong and how to fix it.
    """

    def __init__(self, message: str, *, source: str | None = None, problems: list[str] | None = None):
        super().__init__(message)
        self.source = source
        self.problems = list(problems or [])


class UnknownInstrumentError(AllianceError, LookupError):
    """No shipped instrument has that id, and it is not a path to a definition file."""

    def __str__(self) -> str:  # LookupError would quote the message
        return str(self.args[0]) if self.args else ""


class UnverifiedKeyError(AllianceError, ValueError):
    """The form's scoring key is not verified well enough to score without consent."""


class FormChoiceError(AllianceError, KeyError, ValueError):
    """No form of an instrument fits: the form named does not exist, is for another rater, or the rater
    has no form (or several). The message names the forms and the parameter to pass.

    A ``KeyError`` and a ``ValueError``: the two earlier rules raised one each.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ItemMappingError(AllianceError, ValueError):
    """The item columns of a data set could not be matched to an instrument's items."""


class DataValidationError(AllianceError, ValueError):
    """Responses contain bad cells.

    Attributes
    ----------
    report : pandas.DataFrame
        One row per bad cell: where it is (``line``, the file's line, for data
        read by ``read_responses``; ``case`` for SPSS/Stata files; else ``row``,
        the row's index label), the id column(s), ``column``, ``item``,
        ``value`` and ``reason``.
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class InvalidParameterError(AllianceError, ValueError, TypeError):
    """An argument has the wrong type or value.

    The message names the parameter and the function, what is allowed, what was got, and the fix
    ("The 'ci' parameter of reliability() must be a confidence level between 0 and 1, such as 0.95; got 95.").
    A ``ValueError`` and a ``TypeError``, as scikit-learn's ``InvalidParameterError``.
    """


class NotFittedError(AllianceError, ValueError, AttributeError):
    """A fitted estimator's result was asked for before ``fit``.

    A ``ValueError`` and an ``AttributeError``, as scikit-learn's ``NotFittedError``, so that code written
    for scikit-learn catches it.
    """


class NotebookMarkupError(AllianceError, ValueError):
    """A notebook's solution or hidden-test markers (nbgrader's ``### BEGIN SOLUTION`` ...) do not pair up.

    The message names the notebook, the cell and the line.
    """


class UnknownSampleError(AllianceError, LookupError):
    """No sample data set has that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FileExistsRefusal(AllianceError, FileExistsError):
    """Refusing to overwrite an existing file that the caller did not ask to replace."""


class ConverterNotFoundError(AllianceError, RuntimeError):
    """A report could not be printed to PDF: no converter (playwright with Chromium) is installed."""


class AllianceWarning(UserWarning):
    """Base class of the toolkit's warnings (tests turn them into errors)."""


class InvalidCellsWarning(AllianceWarning):
    """Bad cells were set to missing because the caller asked for ``on_invalid='missing'``."""


class KeyConfidenceWarning(AllianceWarning):
    """A form is scored with a key whose confidence is below 'verified by two sources'."""


class UnmatchedColumnsWarning(AllianceWarning):
    """Columns of an export look like item columns but match no item of the instrument."""


class UnreadableFileError(AllianceError, ValueError):
    """A response file could not be read: unknown format, or the file is damaged.

    The message names the file, the format it was read as and what to do.
    """


class ValueLabelWarning(AllianceWarning):
    """A value label of a response column matches no response anchor; its code was left as stored."""


# --- factor analysis (toolkit.factor) ---
__all__ += ["HeywoodWarning", "NotPositiveDefiniteWarning", "FactorConvergenceWarning"]


class HeywoodWarning(AllianceWarning):
    """A factor solution has a Heywood case (a uniqueness at its bound or a communality >= 1)."""


class NotPositiveDefiniteWarning(AllianceWarning):
    """A correlation matrix was not positive definite and was smoothed (psych::cor.smooth)."""


class FactorConvergenceWarning(AllianceWarning):
    """An iterative factor extraction or rotation stopped before meeting its criterion."""


class ReliabilityWarning(AllianceWarning):
    """A reliability statistic is defined but suspect (negative alpha, items that look reverse-keyed,
    constant items dropped, fewer respondents than items, a fit that did not converge)."""


class DuplicateRowsWarning(AllianceWarning):
    """Rows repeat an earlier row's ids, with the same answers (a double submission) or with different
    answers (which one is right cannot be told); they are scored, never dropped."""


class FileContentWarning(AllianceWarning):
    """Part of a file is not read as it stands, and the warning says what and where: lines above the header
    row, rows shorter than the header, formula cells without a saved value, a repeated column header, a file
    without data rows."""


# --- agreement (toolkit.dyadic) ---
__all__ += ["PairingWarning", "AgreementWarning"]


class PairingWarning(AllianceWarning):
    """Administrations could not be paired (no partner, or repeated ids); they are listed on the result."""


class AgreementWarning(AllianceWarning):
    """An agreement statistic or dyadic model is defined but suspect (too few pairs, no variance, no convergence)."""


class IncompleteRowsWarning(AllianceWarning):
    """Rows with a missing value were left out of a model fit (like R's na.omit); the warning names them."""


# --- confirmatory factor analysis (toolkit.factor.cfa, toolkit.validity) ---
__all__ += ["ModelSyntaxError", "ModelSpecificationError", "CFAWarning"]


class ModelSyntaxError(AllianceError, ValueError):
    """A lavaan-style model string cannot be read; the message names the line, the text and the fix."""


class ModelSpecificationError(AllianceError, ValueError):
    """A model reads but cannot be fitted as written (unknown variables, unsupported operators, a
    constraint that is not linear, an estimator that does not fit the data)."""


class CFAWarning(AllianceWarning):
    """A confirmatory factor model was fitted but its numbers need care: standard errors that could not be
    computed (information matrix not invertible, often a sign the model is not identified), a
    non-positive-definite latent covariance matrix, or a fit measure that is not defined for this model."""


# --- planning by simulation (toolkit.planning) ---
__all__ += ["PlanningWarning"]


class PlanningWarning(AllianceWarning):
    """Replications of a planning run failed or did not converge: they are left out of the power and width
    curves, counted in the result's notes and described in ``replications["error"]``."""


# --- session series (toolkit.sessions) ---
__all__ += ["SessionWarning", "MixedModelWarning"]


class SessionWarning(AllianceWarning):
    """Session series a summary or rule could not use fully (too short, no score at a session, a constant
    series); the result's notes name the clients."""


class MixedModelWarning(AllianceWarning):
    """A mixed model did not converge (gradient not near zero), or its fit is singular (a variance component
    at its boundary: lme4's "boundary (singular) fit")."""
