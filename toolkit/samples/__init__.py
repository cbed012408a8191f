"""Sample data: a seeded simulator with known true parameters, and the shipped samples.

>>> from toolkit.samples import list_samples, load_sample
>>> "wai_sr_sessions" in list_samples().index
True
>>> load_sample("wai36_client_therapist").shape
(1000, 41)
"""

from .generator import DEFAULT_SEED, SimulatedStudy, simulate
from .model import ModelParameters
from .registry import list_samples, load_sample, load_truth, sample_path

__all__ = [
    "simulate",
    "SimulatedStudy",
    "ModelParameters",
    "DEFAULT_SEED",
    "list_samples",
    "load_sample",
    "sample_path",
    "load_truth",
]
