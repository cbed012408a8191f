"""Reading real exports: CSV/TSV, Excel, SPSS and Stata files of questionnaire responses.

:func:`read_responses` reads a file (every row kept, in order, indexed by row
number), turns SPSS/Stata value labels that are an instrument's response anchors
into response values, and reports which column holds which item
(:func:`column_report`).
"""

from .columns import column_report, looks_like_item_column
from .labels import anchor_map, convert_value_labels
from .readers import FORMATS, read_responses, sniff_delimiter

__all__ = [
    "read_responses",
    "column_report",
    "convert_value_labels",
    "anchor_map",
    "looks_like_item_column",
    "sniff_delimiter",
    "FORMATS",
]
