"""Everything stored about one e-mail address: found, told (Art. 15 GDPR, a readable
text and JSON) and erased on request (Art. 17) with a reason in the audit log, while seat
counts, waiting lists and funding figures stay right."""

import html
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.formatting import moment
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
from app.services.errors import ServiceError
from app.services.outbox import deliver_pending
from app.services.personal_data import erase
from app.services.registrations import book_seat, check_counts
from tests import factories
from tests.admin_helpers import field_error, field_value, login_admin, text

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


def _erase(client, address=ADDRESS, reason="Antrag per E-Mail vom 3. März"):
    """The erasure's two steps: the preview, then the confirmation of its list."""
    preview = _preview(client, address, reason)
    assert preview.status_code == 200
    return _confirm(client, preview.text)


def test_erasure_asks_for_a_reason_and_changes_nothing_before_the_confirmation(client, app):
    world = _world()
    login_admin(client)
    no_reason = _preview(client, ADDRESS, reason="  ")
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason").startswith("Bitte nennen Sie den Grund")
    preview = _preview(client, ADDRESS)
    assert preview.status_code == 200
    shown = text(preview.text)
    assert "Antrag per E-Mail vom 3. März" in shown  # the reason travels to the confirmation
    assert "Zuerst storniert (1)" in shown
    assert "die Warteliste rückt nach" in shown
    db.session.expire_all()
    kept = db.session.get(Registration, world["ottilie_coming"].id)
    assert (kept.last_name, kept.state, kept.erased_at) == ("Zwetschgenbaum", "confirmed", None)
    # a confirmation without the preview's list erases nothing
    blind = client.post(
        "/manage/admin/personen/auskunft/loeschen/bestaetigen",
        data={"email": ADDRESS, "reason": "Antrag", "plan": ""},
    )
    assert blind.status_code == 422
    db.session.expire_all()
    assert db.session.get(Registration, world["ottilie_coming"].id).erased_at is None


def test_erasure_anonymises_and_keeps_counts_and_funding(client, app):
    world = _world()
    past, coming = world["past"], world["coming"]
    before = {line.seminar.id: line.figures for line in funding.overview().lines}
    login_admin(client)

    done = _erase(client)
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
    assert _erase(client).status_code == 303
    again = _preview(client, ADDRESS)
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
        assert _preview(client, ADDRESS).status_code == 403
        confirm = client.post(
            "/manage/admin/personen/auskunft/loeschen/bestaetigen",
            data={"email": ADDRESS, "reason": "Antrag", "plan": "x"},
        )
        assert confirm.status_code == 403


# -- a person is their exact address, never a text that contains it --------------------------

ANNA = "anna@example.org"
HANNA = "hanna@example.org"


def _colliding_world():
    """Anna and Hanna (whose address contains Anna's) in one seminar; an account named
    Hanna's address, another ``vhsa@…``; a note mentions the word "anna"."""
    seminar = factories.seminar()
    anna = factories.book_before(seminar, 1, email=ANNA, last_name="Apfel", first_name="Anna")
    hanna = factories.book_before(seminar, 2, email=HANNA, last_name="Birne", first_name="Hanna")
    factories.compose_mails()
    db.session.add_all(
        [
            AuditEntry(action="user_changed", subject="user", detail=f"Adresse war {ANNA}."),
            AuditEntry(action="user_changed", subject="user", detail=f"Adresse war {HANNA}"),
            AuditEntry(
                action="user_changed",
                subject="user",
                changes=json.dumps([["email", HANNA, "neu@example.org"]]),
            ),
            AuditEntry(action="user_created", subject="user", detail="vhsa@example.org"),
            AuditEntry(action="settlement_returned", detail="Rückfrage mit anna besprochen"),
            AuditEntry(action="settlement_returned", detail="Adresse anna@example.org.de"),
        ]
    )
    db.session.commit()
    return seminar, anna, hanna


def _audit_texts() -> dict[int, tuple[str, str]]:
    return {e.id: (e.detail, e.changes) for e in db.session.scalars(sa.select(AuditEntry))}


def test_requests_find_the_exact_address_never_a_text_containing_it(client, app):
    _seminar, anna, _hanna = _colliding_world()
    login_admin(client)
    # "a@example.org" is inside "vhsa@example.org", "hanna@…" and "anna@…": nobody's
    shown = text(_search(client, "a@example.org").text)
    assert "Zu dieser E-Mail-Adresse ist nichts gespeichert." in shown
    nothing = client.post(
        "/manage/admin/personen/auskunft/datei", data={"email": "a@example.org", "format": "json"}
    )
    assert nothing.status_code == 422

    data = json.loads(
        client.post(
            "/manage/admin/personen/auskunft/datei", data={"email": ANNA, "format": "json"}
        ).data
    )
    assert [r["name"] for r in data["anmeldungen"]] == ["Apfel"]
    assert {m["an"] for m in data["e_mails"]} == {ANNA}
    named = [e["angabe"] for e in data["protokolleintraege"] if "@" in e["angabe"]]
    assert named == [f"Adresse war {ANNA}."]
    assert HANNA not in json.dumps(data, ensure_ascii=False)
    assert len(data["protokolleintraege"]) == 1 + len(
        db.session.scalars(
            sa.select(AuditEntry.id).where(AuditEntry.registration_id == anna.id)
        ).all()
    )


def test_the_address_form_takes_a_valid_address_only(client, app):
    _colliding_world()
    login_admin(client)
    for url in ("", "/datei", "/loeschen"):
        page = client.post(
            f"/manage/admin/personen/auskunft{url}", data={"email": "a", "reason": "Antrag"}
        )
        assert page.status_code == 422, url
        assert field_error(page.text, "email") == (
            "Bitte geben Sie eine gültige E-Mail-Adresse an, zum Beispiel name@beispiel.de."
        )
        assert field_value(page.text, "email") == "a"  # what was typed stays
    before = _audit_texts()
    with pytest.raises(ServiceError):
        erase("a", "Antrag", actor_id=None)
    db.session.expire_all()
    assert _audit_texts() == before


def _preview(client, address, reason="Antrag per E-Mail vom 3. März"):
    return client.post(
        "/manage/admin/personen/auskunft/loeschen", data={"email": address, "reason": reason}
    )


def _confirm(client, preview_page):
    form = re.search(r'<form[^>]*id="erase-confirm".*?</form>', preview_page, re.S).group(0)
    data = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    }
    return client.post("/manage/admin/personen/auskunft/loeschen/bestaetigen", data=data)


def test_erasing_anna_changes_annas_data_only(client, app):
    _seminar, anna, hanna = _colliding_world()
    before = _audit_texts()
    hanna_mails = {
        (m.id, m.recipient, m.text_body)
        for m in db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == HANNA))
    }
    login_admin(client)
    done = _confirm(client, _preview(client, ANNA).text)
    assert done.status_code == 303

    db.session.expire_all()
    after = _audit_texts()
    changed = {entry_id for entry_id in before if after[entry_id] != before[entry_id]}
    (annas,) = changed
    assert after[annas] == ("Adresse war [gelöscht].", "")
    assert db.session.get(Registration, anna.id).last_name == "gelöscht"
    kept = db.session.get(Registration, hanna.id)
    assert (kept.last_name, kept.email, kept.erased_at) == ("Birne", HANNA, None)
    assert {
        (m.id, m.recipient, m.text_body)
        for m in db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == HANNA))
    } == hanna_mails


def test_the_erasure_service_rewrites_only_the_entries_naming_the_whole_address(app):
    _colliding_world()
    before = _audit_texts()
    erase(ANNA, "Antrag", actor_id=None, cancel_upcoming=True)
    db.session.expire_all()
    after = _audit_texts()
    rewritten = [after[i] for i in before if after[i] != before[i]]
    assert rewritten == [("Adresse war [gelöscht].", "")]


def test_the_erasure_shows_what_it_will_change_and_erases_exactly_that(client, app):
    world = _world()
    login_admin(client)
    preview = _preview(client, ADDRESS)
    assert preview.status_code == 200
    shown = text(preview.text)
    assert "Diese Änderungen werden ausgeführt" in shown
    assert "Zuerst storniert (1)" in shown
    assert "Anmeldungen (2)" in shown
    assert "Interessenbekundungen (1)" in shown
    assert "E-Mails (2)" in shown
    assert "Protokolleinträge, die die Adresse nennen (1)" in shown
    assert "Adresse war [gelöscht]" in shown  # the entry as it will read
    # the preview changed nothing
    db.session.expire_all()
    assert db.session.get(Registration, world["ottilie_coming"].id).state == "confirmed"

    # something about her changes after the preview: the confirmation is refused
    db.session.add(AuditEntry(action="user_changed", subject="user", detail=f"neu: {ADDRESS}"))
    db.session.commit()
    stale = _confirm(client, preview.text)
    assert stale.status_code == 422
    assert "Seit der Vorschau hat sich geändert" in text(stale.text)
    db.session.expire_all()
    kept = db.session.get(Registration, world["ottilie_coming"].id)
    assert (kept.last_name, kept.state) == ("Zwetschgenbaum", "confirmed")
    assert "Protokolleinträge, die die Adresse nennen (2)" in text(stale.text)

    # the list shown with the refusal is confirmed as it stands
    done = _confirm(client, stale.text)
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, world["ottilie_coming"].id).state == "cancelled"
    assert (
        "[gelöscht]"
        in db.session.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.detail.startswith("neu: "))
        ).one()
    )


def test_erasure_clears_the_note_of_the_persons_declaration(app):
    factories.council_declaration(
        contact_name="Ottilie Zwetschgenbaum",
        contact_email=ADDRESS,
        note="Ansprechpartnerin ist Ottilie Zwetschgenbaum aus Wipperfürth, Tel. 0221 123",
    )
    erase(ADDRESS, "Antrag", actor_id=None)
    db.session.expire_all()
    (declaration,) = db.session.scalars(sa.select(CouncilDeclaration)).all()
    assert "Zwetschgenbaum" not in declaration.note
    assert "Wipperfürth" not in declaration.note


def test_the_information_names_the_personal_links_and_the_held_places_end(client, app):
    seminar = factories.seminar()
    held = book_seat(
        seminar.id,
        factories.applicant(1, email=ADDRESS),
        hold_hours=48,
    )
    assert held.state == "held"
    token = factories.link_token(held)
    login_admin(client)
    page = client.post(
        "/manage/admin/personen/auskunft/datei", data={"email": ADDRESS, "format": "json"}
    )
    report = page.data.decode("utf-8")
    data = json.loads(report)
    db.session.expire_all()
    held = db.session.get(Registration, held.id)
    (registration,) = data["anmeldungen"]
    assert registration["platz_vorgemerkt_bis"] == moment(held.hold_until)
    links = data["persoenliche_links"]
    assert len(links) == 1
    assert links[0]["ausgestellt_am"]
    assert links[0]["gueltig_bis"].startswith("bis zur Löschung der Anmeldung")
    stored = db.session.scalars(sa.select(RegistrationLink.digest)).one()
    assert token not in report and stored not in report
    plain = client.post(
        "/manage/admin/personen/auskunft/datei", data={"email": ADDRESS, "format": "text"}
    ).data.decode("utf-8")
    assert "Persönliche Links (1)" in plain
    assert "Platz vorgemerkt bis:" in plain
    assert token not in plain and stored not in plain


def test_erasure_removes_the_persons_mail_files(app_factory, tmp_path):
    app = app_factory(MAIL_FOLDER=str(tmp_path), MAIL_SERVER="")
    with app.app_context():
        _colliding_world()
        deliver_pending()
        annas = re.compile(r"(?<![\w.])anna@example\.org")
        files = {path.name for path in tmp_path.glob("*.eml")}
        assert any(annas.search(path.read_text()) for path in tmp_path.glob("*.eml"))
        erase(ANNA, "Antrag", actor_id=None, cancel_upcoming=True)
        left = {path.name for path in tmp_path.glob("*.eml")}
        assert left < files
        assert not any(annas.search(path.read_text()) for path in tmp_path.glob("*.eml"))
        assert any(HANNA in path.read_text() for path in tmp_path.glob("*.eml"))
