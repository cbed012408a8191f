"""Confirmatory factor analysis (lavaan's models, estimators and fit measures)."""
