"""The data model, one module per aggregate."""

from app.models.after import EvaluationAnswer, EvaluationCode, Settlement, SettlementState
from app.models.attendance import Attendance, RoomNeedsSeen
from app.models.audit import Action, AuditEntry
from app.models.completion import FrozenCompletion
from app.models.council import Council, CouncilKind
from app.models.evidence import SeminarEvidence
from app.models.interest import (
    CouncilDeclaration,
    DeclarationState,
    OfferState,
    VhsDeclaration,
    VhsOffer,
    vhs_declaration_council,
)
from app.models.operations import Job, JobRun, WorkerBeat
from app.models.outbox import OutboxMail
from app.models.programme import Programme
from app.models.registration import (
    ACTIVE_STATES,
    Registration,
    RegistrationLink,
    RegistrationState,
)
from app.models.seminar import Seminar, SeminarState, seminar_council
from app.models.trainer import SeminarTrainer, Trainer, TrainerKind
from app.models.user import Role, User
from app.models.vhs import Vhs

__all__ = [
    "ACTIVE_STATES",
    "Action",
    "Attendance",
    "AuditEntry",
    "Council",
    "CouncilDeclaration",
    "CouncilKind",
    "DeclarationState",
    "EvaluationAnswer",
    "EvaluationCode",
    "FrozenCompletion",
    "Job",
    "JobRun",
    "OfferState",
    "OutboxMail",
    "Programme",
    "Registration",
    "RegistrationLink",
    "RegistrationState",
    "Role",
    "RoomNeedsSeen",
    "Seminar",
    "SeminarEvidence",
    "SeminarState",
    "SeminarTrainer",
    "Settlement",
    "SettlementState",
    "Trainer",
    "TrainerKind",
    "User",
    "Vhs",
    "VhsDeclaration",
    "VhsOffer",
    "WorkerBeat",
    "seminar_council",
    "vhs_declaration_council",
]
