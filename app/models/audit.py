import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.enums import LabelledStrEnum
from app.core.timeutil import utcnow
from app.extensions import db


class Action(LabelledStrEnum):
    """What an audit entry records, with its German label for the log."""

    REGISTERED = "registered", "selbst angemeldet"
    ADDED_BY_ORGANISER = "added_by_organiser", "hinzugefügt"
    BULK_ADDED = "bulk_added", "mehrere hinzugefügt (Liste)"
    CANCELLED = "cancelled", "storniert"
    MOVED_UP = "moved_up", "nachgerückt"
    MOVED_UP_BY_HAND = "moved_up_by_hand", "von Hand nachgerückt"
    ATTENDANCE = "attendance", "Anwesenheit"
    EVALUATION_CODES = "evaluation_codes", "Einmal-Codes zum Fragebogen"
    CAPACITY_CHANGED = "capacity_changed", "Plätze geändert"
    SEMINAR_PUBLISHED = "seminar_published", "Seminar veröffentlicht"
    SEMINAR_UNPUBLISHED = "seminar_unpublished", "Seminar zurückgezogen"
    SEMINAR_CANCELLED = "seminar_cancelled", "Seminar abgesagt"
    CANCELLED_WITH_SEMINAR = "cancelled_with_seminar", "storniert (Seminar abgesagt)"
    ADDRESS_CONFIRMED = "address_confirmed", "Adresse bestätigt, Platz bestätigt"
    HOLD_RELEASED = "hold_released", "Vormerkung abgelaufen, Platz frei"
    SEMINAR_CREATED = "seminar_created", "Seminar angelegt"
    SEMINAR_CHANGED = "seminar_changed", "Seminar geändert"
    SEMINAR_DELETED = "seminar_deleted", "Entwurf gelöscht"
    PROGRAMME_CREATED = "programme_created", "Programm angelegt"
    PROGRAMME_CHANGED = "programme_changed", "Programm und Regeln geändert"
    VHS_CREATED = "vhs_created", "VHS angelegt"
    VHS_CHANGED = "vhs_changed", "VHS geändert"
    COUNCIL_CREATED = "council_created", "Gremium angelegt"
    COUNCIL_CHANGED = "council_changed", "Gremium geändert"
    TRAINER_CREATED = "trainer_created", "Trainer*in angelegt"
    TRAINER_CHANGED = "trainer_changed", "Trainer*in geändert"
    USER_CREATED = "user_created", "Konto angelegt"
    USER_CHANGED = "user_changed", "Konto geändert"
    USER_DEACTIVATED = "user_deactivated", "Konto gesperrt"
    # choosing the locations: a declared module at a VHS selected or declined
    OFFER_SELECTED = "offer_selected", "Interesse ausgewählt (Entwurf angelegt)"
    OFFER_DECLINED = "offer_declined", "Interesse abgelehnt"
    MESSAGE_SENT = "message_sent", "Nachricht an Teilnehmende gesendet"
    # after the seminar: the mail with the certificates, the settlement's states
    ATTENDANCE_CLOSED = "attendance_closed", "Anwesenheit abgeschlossen, Bescheinigungen versandt"
    SETTLEMENT_CATERING = "settlement_catering", "Abrechnung: Verpflegungskosten erfasst"
    SETTLEMENT_SUBMITTED = "settlement_submitted", "Abrechnung eingereicht"
    SETTLEMENT_CHECKED = "settlement_checked", "Abrechnung geprüft"
    SETTLEMENT_PAID = "settlement_paid", "Abrechnung ausgezahlt"
    SETTLEMENT_RETURNED = "settlement_returned", "Abrechnung zurückgegeben"
    # a person's data erased on request (GDPR Art. 17); the entry names nobody
    PERSONAL_DATA_ERASED = (
        "personal_data_erased",
        "Personenbezogene Daten gelöscht (Art. 17 DSGVO)",
    )


class Subject(LabelledStrEnum):
    """What an entry is about when it is not a registration (``AuditEntry.subject``)."""

    SEMINAR = "seminar", "Seminar"
    PROGRAMME = "programme", "Programm"
    VHS = "vhs", "VHS"
    COUNCIL = "council", "Gremium"
    TRAINER = "trainer", "Trainer*in"
    USER = "user", "Konto"
    OFFER = "offer", "Angebot einer VHS"


# The German names of the fields an entry's ``changes`` name, for the log.
FIELD_LABELS = {
    # seminars
    "programme_id": "Programm",
    "vhs_id": "Volkshochschule",
    "module": "Modul",
    "capacity": "Plätze",
    "venue_name": "Veranstaltungsort",
    "venue_street": "Straße",
    "venue_postcode": "Postleitzahl",
    "venue_town": "Ort",
    "day1": "1. Tag",
    "day1_starts": "Beginn am 1. Tag",
    "day1_ends": "Ende am 1. Tag",
    "day2": "2. Tag",
    "day2_starts": "Beginn am 2. Tag",
    "day2_ends": "Ende am 2. Tag",
    "registration_deadline": "Anmeldeschluss",
    "council_ids": "Gremien",
    "note": "Hinweis",
    # programmes and their rules
    "title": "Titel",
    "period_start": "Zeitraum von",
    "period_end": "Zeitraum bis",
    "min_participants": "Mindestzahl Teilnehmende",
    "max_participants": "Höchstzahl Teilnehmende",
    "two_trainers_from": "Zwei Trainer*innen gefördert ab",
    "max_trainers": "Höchstzahl Trainer*innen",
    "seminar_days": "Seminartage",
    "trainer_fee_cents_per_day": "Honorar je Trainer*in und Tag",
    "catering_cents_per_person": "Verpflegung je Person",
    "max_held_percent": "Höchstens unbestätigt vorgemerkt (Prozent der Plätze)",
    # VHS, councils, trainers, accounts
    "name": "Name",
    "town": "Ort",
    "street": "Straße",
    "postcode": "Postleitzahl",
    "contact_name": "Ansprechperson",
    "contact_email": "E-Mail-Adresse",
    "contact_phone": "Telefon",
    "slug": "Adresse der VHS-Seite",
    "kind": "Art",
    "office_email": "E-Mail-Adresse der Geschäftsstelle",
    "email": "E-Mail-Adresse",
    "role": "Rolle",
    "vhs": "Volkshochschule",
    "council": "Integrationsrat",
    "active": "Konto aktiv",
    # settlements
    "settlement_state": "Stand der Abrechnung",
    "catering_spent_cents": "Verpflegung ausgegeben",
    # interest declarations and the choice of locations, the regions
    "interest_deadline": "Frist für Interessenbekundungen",
    "region": "Regierungsbezirk",
    "decision": "Entscheidung",
    "decision_reason": "Begründung",
}


class AuditEntry(db.Model):
    """Who changed what, when: a registration, a seminar, the programme and its rules, a
    VHS, a council, a trainer or an account. Written by the services only, in the
    transaction of the change."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organiser.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    # the seminar concerned; None for changes to programmes, VHS, councils, trainers, users
    seminar_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("seminar.id", ondelete="CASCADE"), index=True
    )
    # what else was changed: "programme", "vhs", "council", "trainer", "user" and its id
    subject: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    subject_id: Mapped[int | None]
    # JSON list of [field, old value, new value] for edits
    changes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE")
    )
    detail: Mapped[str] = mapped_column(sa.String(500), default="")

    actor = relationship("User")

    @property
    def action_label(self) -> str:
        try:
            return Action(self.action).label
        except ValueError:
            return self.action

    @property
    def subject_label(self) -> str:
        try:
            return Subject(self.subject).label
        except ValueError:
            return self.subject

    @property
    def change_list(self) -> list[tuple[str, str, str]]:
        """``(German field name, old value, new value)`` of each field changed."""
        if not self.changes:
            return []
        return [
            (FIELD_LABELS.get(name, name), old, new) for name, old, new in json.loads(self.changes)
        ]

    seminar = relationship("Seminar")
    registration = relationship("Registration")
