"""The exercises, one module each: its data builder and its steps (``SPEC``)."""
