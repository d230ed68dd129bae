"""The data model, one module per aggregate."""

from app.models.council import Council, CouncilKind
from app.models.programme import Programme
from app.models.registration import Registration, RegistrationState
from app.models.seminar import Module, Seminar, SeminarState, seminar_council
from app.models.vhs import Vhs

__all__ = [
    "Council",
    "CouncilKind",
    "Module",
    "Programme",
    "Registration",
    "RegistrationState",
    "Seminar",
    "SeminarState",
    "Vhs",
    "seminar_council",
]
