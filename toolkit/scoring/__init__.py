"""One scoring engine for every instrument: find items, check cells, key, score, flag."""

from .columns import default_column, match_item_columns
from .engine import detect_id_columns, item_frame, score, validate_responses

__all__ = ["score", "validate_responses", "item_frame", "match_item_columns", "default_column", "detect_id_columns"]
