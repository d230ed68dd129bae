"""Everything stored about one e-mail address: found, told (Art. 15 GDPR, a readable
text and JSON) and erased on request (Art. 17) with a reason in the audit log, while seat
counts, waiting lists and funding figures stay right."""

import json
import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.timeutil import today_berlin, utcnow
from app.extensions import db
from app.models import (
    AuditEntry,
    CouncilDeclaration,
    OutboxMail,
    Registration,
    RegistrationLink,
    VhsDeclaration,
)
from app.services import funding
from app.services.registrations import check_counts
from tests import factories
from tests.admin_helpers import field_error, login_admin, text

TODAY = today_berlin()
ADDRESS = "Ottilie.Zwetschgenbaum@Beispiel.example"
SEARCHED = "ottilie.zwetschgenbaum@beispiel.example"


def _world():
    """Ottilie attended a past Basismodul, holds a place in a coming (full) Aufbaumodul with
    someone waiting behind her, declared interest for her council, got mails, and an
    admin's account edit once named her address."""
    past = factories.held_seminar(TODAY - timedelta(days=20))
    ottilie_past = factories.book_before(
        past, 1, email=ADDRESS, last_name="Zwetschgenbaum", first_name="Ottilie", town="Wipperfürth"
    )
    factories.attend(ottilie_past, 1, 2)
    factories.fill(past, 8, start=10, today=past.registration_deadline)
    coming = factories.seminar(module=2, capacity=8)
    factories.fill(coming, 7, start=30)
    ottilie_coming = factories.book_before(
        coming, 1, email=ADDRESS.lower(), last_name="Zwetschgenbaum", first_name="Ottilie"
    )
    waiting = factories.book_before(coming, 60)
    assert waiting.state == "waitlisted"
    token = factories.link_token(ottilie_coming)
    factories.council_declaration(contact_name="Ottilie Zwetschgenbaum", contact_email=ADDRESS)
    factories.compose_mails()
    first_mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.registration_id == ottilie_past.id)
    ).first()
    first_mail.sent_at = utcnow()
    db.session.add(
        AuditEntry(action="user_changed", detail=f"Adresse war {ADDRESS}", subject="user")
    )
    db.session.commit()
    return {
        "past": past,
        "coming": coming,
        "ottilie_past": ottilie_past,
        "ottilie_coming": ottilie_coming,
        "waiting": waiting,
        "token": token,
    }


def _search(client, address=ADDRESS):
    return client.post("/manage/admin/personen/auskunft", data={"email": address})


def test_the_search_finds_everything_about_the_address(client, app):
    _world()
    factories.trainer(email=SEARCHED, name="Ottilie als Trainerin")
    login_admin(client)
    assert client.get("/manage/admin/personen/auskunft").status_code == 200
    page = _search(client, "  OTTILIE.zwetschgenbaum@beispiel.EXAMPLE ")
    assert page.status_code == 200
    shown = text(page.text)
    assert f"Gespeichert zu {SEARCHED}" in shown
    assert "Anmeldungen (2)" in shown
    assert "Zwetschgenbaum, Ottilie, Wipperfürth" in shown
    assert "Tag 1: anwesend Tag 2: anwesend" in shown
    assert "Seminar hat noch nicht begonnen" in shown  # the coming one
    assert "Interessenbekundungen (1)" in shown
    assert "E-Mails an diese Adresse (2)" in shown
    assert "Trainer*in: Ottilie als Trainerin" in shown
    # the address travels in the body only: no URL carries it
    assert SEARCHED not in page.request.url


def test_an_unknown_address_or_none_is_answered_clearly(client, app):
    login_admin(client)
    assert "Zu dieser E-Mail-Adresse ist nichts gespeichert." in text(_search(client).text)
    empty = client.post("/manage/admin/personen/auskunft", data={"email": ""})
    assert empty.status_code == 422
    assert field_error(empty.text, "email") == "Bitte geben Sie die E-Mail-Adresse an."
    nothing = client.post("/manage/admin/personen/auskunft/datei", data={"email": ADDRESS})
    assert nothing.status_code == 422
    assert field_error(nothing.text, "email") == "Zu dieser E-Mail-Adresse ist nichts gespeichert."


def test_the_information_as_text_and_as_json(client, app):
    _world()
    login_admin(client)
    plain = client.post(
        "/manage/admin/personen/auskunft/datei", data={"email": ADDRESS, "format": "text"}
    )
    assert plain.status_code == 200
    assert plain.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert plain.headers["Content-Disposition"].startswith('attachment; filename="auskunft-')
    assert plain.headers["Cache-Control"] == "no-store"
    report = plain.data.decode("utf-8")
    assert report.startswith("Auskunft über gespeicherte Daten (Art. 15 DSGVO)")
    assert "Anmeldungen zu Seminaren (2)" in report
    assert "   Name: Zwetschgenbaum" in report and "   Ort: Wipperfürth" in report
    assert "   Anwesenheit 2. Tag: anwesend" in report
    assert "Interessenbekundungen (1)" in report
    assert "anonym gespeichert" in report

    data = json.loads(
        client.post(
            "/manage/admin/personen/auskunft/datei", data={"email": ADDRESS, "format": "json"}
        ).data
    )
    assert data["e_mail_adresse"] == SEARCHED
    assert [r["status"] for r in data["anmeldungen"]] == ["bestätigt", "bestätigt"]
    assert data["interessenbekundungen"][0]["ansprechperson"] == "Ottilie Zwetschgenbaum"
    assert len(data["e_mails"]) == 2
    mail_text = data["e_mails"][0]["text"]
    # the mail's personal link would open (and cancel) the registration: not handed out
    assert "/anmeldung/[persönlicher Link entfernt]" in mail_text
    assert not re.search(r"/anmeldung/[A-Za-z0-9_-]{20,}", mail_text)


def _erase(client, **form):
    data = {"email": ADDRESS, "reason": "Antrag per E-Mail vom 3. März", "confirm": "y"}
    data.update(form)
    return client.post("/manage/admin/personen/auskunft/loeschen", data=data)


def test_erasure_asks_for_a_reason_a_confirmation_and_the_coming_places(client, app):
    world = _world()
    login_admin(client)
    no_reason = _erase(client, reason="  ", cancel_upcoming="y")
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason").startswith("Bitte nennen Sie den Grund")
    unconfirmed = _erase(client, confirm="", cancel_upcoming="y")
    assert unconfirmed.status_code == 422
    assert field_error(unconfirmed.text, "confirm") == (
        "Bitte bestätigen Sie, dass die Daten gelöscht werden sollen."
    )
    upcoming = _erase(client)
    assert upcoming.status_code == 422
    assert "noch nicht begonnen haben. Bitte bestätigen" in field_error(
        upcoming.text, "cancel_upcoming"
    )
    assert "Antrag per E-Mail vom 3. März" in upcoming.text  # the form keeps the reason
    db.session.expire_all()
    kept = db.session.get(Registration, world["ottilie_coming"].id)
    assert (kept.last_name, kept.state, kept.erased_at) == ("Zwetschgenbaum", "confirmed", None)


def test_erasure_anonymises_and_keeps_counts_and_funding(client, app):
    world = _world()
    past, coming = world["past"], world["coming"]
    before = {line.seminar.id: line.figures for line in funding.overview().lines}
    login_admin(client)

    done = _erase(client, cancel_upcoming="y")
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/manage/admin/personen/auskunft")
    notice = text(client.get(done.headers["Location"]).text)
    assert "Die Daten sind gelöscht: 2 Anmeldungen (davon 1 vorher storniert)" in notice

    db.session.expire_all()
    ottilie_past = db.session.get(Registration, world["ottilie_past"].id)
    ottilie_coming = db.session.get(Registration, world["ottilie_coming"].id)
    for erased in (ottilie_past, ottilie_coming):
        assert (erased.last_name, erased.first_name, erased.town) == ("gelöscht", "gelöscht", "")
        assert erased.email == erased.email_normalized == f"geloescht-{erased.id}@invalid"
        assert erased.erased_at is not None
    # the past seminar keeps her place (and her attendance); the coming one gave it away
    assert ottilie_past.state == "confirmed"
    assert ottilie_coming.state == "cancelled"
    assert db.session.get(Registration, world["waiting"].id).state == "confirmed"
    assert check_counts(repair=False) == []
    after = {line.seminar.id: line.figures for line in funding.overview().lines}
    assert after[past.id] == before[past.id]
    assert after[coming.id] == before[coming.id]  # the waiting person took the place

    # her links open nothing, her mails are gone or emptied, her declaration has no contact
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RegistrationLink)
            .where(RegistrationLink.registration_id.in_([ottilie_past.id, ottilie_coming.id]))
        )
        == 0
    )
    assert client.get(f"/anmeldung/{world['token']}").status_code == 404
    mails = db.session.scalars(
        sa.select(OutboxMail).where(
            OutboxMail.registration_id.in_([ottilie_past.id, ottilie_coming.id])
        )
    ).all()
    assert [(m.recipient, m.subject, m.text_body) for m in mails] == [
        ("geloescht@invalid", "gelöscht", "")
    ]
    (declaration,) = db.session.scalars(sa.select(CouncilDeclaration)).all()
    assert declaration.contact_name == "gelöscht" and declaration.contact_phone == ""
    assert declaration.contact_email.endswith("@invalid") and declaration.link_digest is None

    # nothing names her any more; the log says why, without the address
    for model, columns in (
        (Registration, ("email", "last_name")),
        (OutboxMail, ("recipient", "text_body", "html_body")),
        (AuditEntry, ("detail", "changes")),
        (CouncilDeclaration, ("contact_email", "contact_name")),
        (VhsDeclaration, ("contact_email",)),
    ):
        for column in columns:
            found = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(model)
                .where(sa.func.lower(getattr(model, column)).contains("zwetschgenbaum"))
            )
            assert found == 0, f"{model.__name__}.{column}"
    erasure = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "personal_data_erased")
    ).one()
    assert "Grund: Antrag per E-Mail vom 3. März" in erasure.detail
    # two confirmations, and the cancellation (never sent: the person asked for erasure)
    assert "1 Person: 2 Anmeldungen, 1 Interessenbekundung, 3 E-Mails" in erasure.detail
    assert (
        "[gelöscht]"
        in db.session.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "user_changed")
        ).one()
    )
    assert "Zu dieser E-Mail-Adresse ist nichts gespeichert." in text(_search(client).text)


def test_erasing_twice_says_nothing_is_stored(client, app):
    _world()
    login_admin(client)
    assert _erase(client, cancel_upcoming="y").status_code == 303
    again = _erase(client, cancel_upcoming="y")
    assert again.status_code == 422
    assert field_error(again.text, "email") == "Zu dieser E-Mail-Adresse ist nichts gespeichert."


def test_only_admins_reach_the_personal_data(app):
    seminar = factories.seminar(councils=[factories.council()])
    for account in (
        factories.user("vhs", vhs_id=seminar.vhs_id),
        factories.user("contact", council_id=seminar.councils[0].id),
        factories.user("observer"),
    ):
        client = app.test_client()
        factories.login(client, account)
        assert client.get("/manage/admin/personen/auskunft").status_code == 403
        assert _search(client).status_code == 403
        assert _erase(client, cancel_upcoming="y").status_code == 403
