"""Sphinx configuration of the alliance-toolkit documentation (built offline: `make docs`).

Three generated parts, rebuilt on every build (never edited by hand, not committed):

* ``api/``: the API reference, one page per public name, from the numpydoc docstrings (``_ext/api_pages.py``);
* ``instruments/``: the instrument catalogue, from ``instruments/*.yaml`` (``_ext/instrument_catalogue.py``);
* ``gallery/``: the notebooks of ``notebooks/``, rendered by myst-nb.

Notebooks are executed when ``ALLIANCE_DOCS_EXECUTE`` is ``auto``/``force`` (``make docs`` does); the test
that builds the site with warnings as errors leaves them unexecuted to stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import toolkit  # noqa: E402

project = "alliance-toolkit"
author = "alliance-toolkit developers"
copyright = "2026, alliance-toolkit developers"
release = version = toolkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "api_pages",
    "instrument_catalogue",
    "notebook_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"

# numpydoc: the docstrings are checked by the test suite; here they are rendered
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
autodoc_typehints = "none"
autosummary_generate = False  # api_pages writes the pages itself
autodoc_default_options = {"members": False}

# myst-nb: notebooks as a gallery
nb_execution_mode = os.environ.get("ALLIANCE_DOCS_EXECUTE", "off")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "dollarmath"]
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "pydata_sphinx_theme"
html_title = "alliance-toolkit"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path = []
html_show_sourcelink = False
