"""Inspect tasks of the em-selfaware suite (one probe family per file).

``inspect eval em_tasks/<file>.py`` runs them from a checkout; installed, they are registered as
``em_selfaware/<task>`` and ``em_tasks/<task>`` (see `em_tasks._registry`).
"""

from .emergent_misalignment import emergent_misalignment
from .harmfulness import harmfulness
from .intentions import intentions
from .moral_foundations import moral_foundations, moral_self_assessment
from .persona_consistency import output_recognition, score_prediction, two_ai_identification
from .self_assessment import self_assessment
from .self_report import self_report

__all__ = [
    "emergent_misalignment",
    "harmfulness",
    "intentions",
    "moral_foundations",
    "moral_self_assessment",
    "output_recognition",
    "score_prediction",
    "self_assessment",
    "self_report",
    "two_ai_identification",
]
