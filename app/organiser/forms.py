import hashlib

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.core.german import plural
from app.core.text import clean
from app.models import Seminar
from app.services import broadcasts, messages
from app.services.broadcasts import Audience, Message
from app.services.seminars import VenueAndDates, day_warnings, vhs_rule_errors
from app.web import validators
from app.web.downloads import XLSX
from app.web.forms import EuroField, PersonForm, SeminarDaysForm, whole_field
from app.web.validators import OptionalText


class ParticipantForm(PersonForm):
    """A person who registered by phone or on paper."""


class SeminarChangeForm(SeminarDaysForm):
    """What VHS staff change of their own seminar: dates, times, place and the note.
    The programme's rules are checked here as in the admins' form, so that every problem
    shows at once and what was typed stays."""

    def __init__(self, *args, seminar: Seminar, **kwargs):
        super().__init__(*args, **kwargs)
        self._seminar = seminar

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        errors = vhs_rule_errors(self._seminar.programme.rules, self._seminar, self.change())
        for name, message in errors.items():
            self[name].errors.append(message)
        return ok and not errors

    def warnings(self) -> dict[str, str]:
        """Days shorter than eight hours, by the field of the day's end (saved all the
        same, rule 10)."""
        return day_warnings(self.change())

    def change(self) -> VenueAndDates:
        """The change as entered (fields that failed their format are None)."""
        return VenueAndDates(
            **{name: self[name].data for name in VenueAndDates.__dataclass_fields__}
        )


class MessageForm(FlaskForm):
    """An organiser's message to a seminar's people. ``previewed`` carries the
    fingerprint of the message last shown in the preview: "Senden" sends only what was
    seen."""

    audience = RadioField(
        "Wer erhält die Nachricht?",
        choices=[SelectChoice(a.value, a.label) for a in Audience],
        default=Audience.CONFIRMED.value,
        validators=[InputRequired("Bitte wählen Sie, wer die Nachricht erhält.")],
        invalid_choice_message=validators.CHOOSE,
    )
    subject = StringField(
        "Betreff",
        filters=[clean],
        render_kw={"maxlength": broadcasts.SUBJECT_MAX, "autocomplete": "off"},
    )
    body = TextAreaField("Nachricht", render_kw={"maxlength": broadcasts.BODY_MAX, "rows": 14})
    previewed = HiddenField()

    def __init__(self, *args, counts: dict[Audience, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = [
            SelectChoice(a.value, f"{a.label} ({plural(counts[a], 'Person')})") for a in Audience
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        errors = broadcasts.text_errors(self.message())
        for name, message in errors.items():
            self[name].errors.append(message)
        return ok and not errors

    def message(self) -> Message:
        """The message as entered, cleaned (subject on one line, plain line breaks)."""
        audience = self.audience.data
        return broadcasts.cleaned(
            Message(
                Audience(audience) if audience in set(Audience) else Audience.CONFIRMED,
                self.subject.data or "",
                self.body.data or "",
            )
        )

    def fingerprint(self) -> str:
        message = self.message()
        seen = "\0".join((message.audience.value, message.subject, message.body))
        return hashlib.sha256(seen.encode()).hexdigest()[:32]

    def seen_in_preview(self) -> bool:
        return bool(self.previewed.data) and self.previewed.data == self.fingerprint()


class RoomCodesForm(FlaskForm):
    how_many = whole_field("Anzahl der Codes", "Bitte geben Sie an, wie viele Codes Sie brauchen.")


# -- the settlement

REASON_MAX = 500


class CateringForm(FlaskForm):
    catering = EuroField(
        "Ausgegeben für die Verpflegung (Euro)",
        validators=[InputRequired(messages.CATERING_MISSING)],
    )


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        "Grund für die Rückgabe",
        filters=[clean],
        validators=[InputRequired(messages.RETURN_REASON_MISSING), OptionalText(REASON_MAX)],
    )


# -- adding several people at once

ACCEPT = ".csv,.txt,.tsv,.xlsx,text/csv,text/plain,text/tab-separated-values," + XLSX


class BulkAddForm(FlaskForm):
    rows = TextAreaField(
        "Zeilen einfügen", render_kw={"rows": 8, "spellcheck": "false", "autocomplete": "off"}
    )
    file = FileField("Oder eine Datei hochladen", render_kw={"accept": ACCEPT})

    def chosen_file(self):
        return self.file.data if self.file.data and self.file.data.filename else None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        has_text = bool((self.rows.data or "").strip())
        if has_text and self.chosen_file():
            self.file.errors.append(messages.BULK_BOTH_CHOSEN)
        elif not has_text and not self.chosen_file():
            self.rows.errors.append(messages.BULK_NOTHING_CHOSEN)
        return not (self.rows.errors or self.file.errors)


class TokenForm(FlaskForm):
    """The preview's rows, signed (``_sign``)."""

    token = HiddenField()
