"""Instruments as data: the model, the loader and the published schema."""

from .loader import attach_wording, definition_schema, list_instruments, load_instrument, template_path
from .model import Instrument, ResponseScale

__all__ = [
    "Instrument",
    "ResponseScale",
    "load_instrument",
    "list_instruments",
    "definition_schema",
    "attach_wording",
    "template_path",
]
