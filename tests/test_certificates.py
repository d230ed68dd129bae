"""Certificates of attendance: who gets one (both days present, confirmed, not erased), the
PDF read back, the organisers' page with the reasons, the mail after the seminar with the
PDF through a real SMTP server (once per person), the personal link and the daily command."""

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app import rules
from app.core.formatting import date_long
from app.extensions import db
from app.models import AuditEntry, OutboxMail, Registration
from app.services import after_seminar, messages
from app.services.certificates import NoCertificate, certificate_pdf
from app.services.personal_data import erase
from app.services.registrations import book_seat
from tests import factories
from tests.admin_helpers import text
from tests.smtp import SmtpServer

NAMES = [("Nguyễn", "Thị Lan"), ("O'Neill", "Siobhán"), ("Çelik", "Ayşe"), ("Schmidt", "Jonas")]


def _read(body: bytes) -> PdfReader:
    assert body.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(body))


def _text(reader: PdfReader, page: int = 0) -> str:
    return " ".join(reader.pages[page].extract_text().split())


def _seminar(day2_ago: int = 0, **overrides):
    """Nguyễn and O'Neill present on both days, Çelik only on day 1, Schmidt on day 1 with
    day 2 not recorded."""
    seminar, people = factories.seminar_held_with(NAMES, day2_ago=day2_ago, **overrides)
    nguyen, oneill, celik, schmidt = people
    factories.record_days(nguyen, True, True)
    factories.record_days(oneill, True, True)
    factories.record_days(celik, True, False)
    factories.record_days(schmidt, True, None)
    return seminar, people


def _login_vhs(client, seminar):
    account = factories.user("vhs", vhs_id=seminar.vhs_id)
    assert factories.login(client, account).status_code == 303
    return account


# -- the rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day1", "day2", "gap"),
    [
        (True, True, None),
        (True, False, "only_day1"),
        (False, True, "only_day2"),
        (False, False, "absent_both"),
        (True, None, "not_recorded_day2"),
        (None, True, "not_recorded_day1"),
        (None, None, "not_recorded_both"),
        (False, None, "absent_day1"),
        (None, False, "absent_day2"),
    ],
)
def test_only_both_days_present_earn_a_certificate(day1, day2, gap):
    assert rules.earns_certificate(day1, day2) is (gap is None)
    assert rules.certificate_gap(day1, day2) == gap
    if gap:
        assert messages.CERTIFICATE_GAPS[gap]


def test_after_seminar_mails_go_out_while_the_questionnaire_is_open():
    from datetime import date, timedelta

    day2 = date(2026, 3, 15)
    assert not rules.after_seminar_mail_open(day2, date(2026, 3, 14))
    assert rules.after_seminar_mail_open(day2, day2)
    assert rules.after_seminar_mail_open(day2, day2 + timedelta(weeks=8))
    assert not rules.after_seminar_mail_open(day2, day2 + timedelta(weeks=8, days=1))
    for offset in range(-2, 70):
        today = day2 + timedelta(days=offset)
        questionnaire_open = rules.evaluation_window(day2, today) == rules.EvaluationWindow.OPEN
        assert rules.after_seminar_mail_open(day2, today) == questionnaire_open


# -- the PDF ----------------------------------------------------------------------------


def test_the_certificate_names_the_person_as_written_the_module_dates_and_partners(app):
    seminar, (nguyen, oneill, celik, _schmidt) = _seminar()

    for person in (nguyen, oneill):
        reader = _read(certificate_pdf(person))
        assert len(reader.pages) == 1
        page = _text(reader)
        assert f"{person.first_name} {person.last_name}" in page
        assert "Teilnahmebescheinigung" in page
        assert "Basismodul: Lebenswelt und Handlungsfeld Kommune" in page
        assert f"1. Tag: {date_long(seminar.day1)}, 9:00–17:00 Uhr (8 Stunden)" in page
        assert f"2. Tag: {date_long(seminar.day2)}, 9:00–17:00 Uhr (8 Stunden)" in page
        assert "Umfang: 16 Stunden" in page
        assert "Bildungszentrum, Raum 2, Marktplatz 5, 40213 Düsseldorf" in page
        assert seminar.vhs.name in page
        assert f"„{seminar.programme.title}“" in page
        assert "Landesverbands der Volkshochschulen von NRW e.V." in page
        assert "Landesintegrationsrats NRW" in page
        assert "Landeszentrale für politische Bildung NRW" in page
        assert f"{seminar.vhs.town}, den " in page
        assert f"Bescheinigung Nr. {seminar.id}-{person.id}" in page

    # A4, German, titled, tagged
    reader = _read(certificate_pdf(nguyen))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.title == "Teilnahmebescheinigung – Thị Lan Nguyễn"
    document = root["/StructTreeRoot"]["/K"][0].get_object()
    roles = [kid.get_object()["/S"] for kid in document["/K"]]
    assert roles.count("/H1") == 1 and "/P" in roles
    # the font is embedded (a subset of DejaVu Sans)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("DejaVu" in font.get_object()["/BaseFont"] for font in fonts.values())

    with pytest.raises(NoCertificate) as refused:
        certificate_pdf(celik)
    assert refused.value.message == (
        "Für Ayşe Çelik gibt es keine Teilnahmebescheinigung: nur an Tag 1 anwesend."
    )


def test_an_erased_person_gets_no_certificate_nor_mail(app):
    seminar, (nguyen, oneill, _celik, _schmidt) = _seminar()
    erase(oneill.email, "Auf eigenen Wunsch", actor_id=None)
    db.session.expire_all()

    with pytest.raises(NoCertificate):
        certificate_pdf(db.session.get(Registration, oneill.id))
    closed = after_seminar.close_attendance(seminar.id, None, seminar.day2)
    # Nguyễn with the certificate, Çelik (one day) without; O'Neill erased; Schmidt's
    # day 2 is not recorded yet
    assert (closed.queued, closed.earlier, closed.without, closed.certified) == (2, 0, 3, 1)
    recipients = db.session.scalars(
        sa.select(OutboxMail.registration_id).where(OutboxMail.kind == "after_seminar")
    ).all()
    assert sorted(recipients) == sorted([nguyen.id, _celik.id])
    assert oneill.id not in recipients


# -- the organisers' page and downloads ----------------------------------------------------


def test_the_organisers_see_who_gets_one_and_why_not_and_download_them(client):
    seminar, (nguyen, oneill, celik, schmidt) = _seminar()
    _login_vhs(client, seminar)

    page = client.get(f"/manage/seminare/{seminar.id}/bescheinigungen")
    assert page.status_code == 200
    shown = text(page.text)
    assert "2 von 4 bestätigten Personen bekommen eine" in shown
    row = {
        p.id: re.search(rf'id="certificate-{p.id}".*?</tr>', page.text, re.S).group(0)
        for p in (nguyen, oneill, celik, schmidt)
    }
    assert "nur an Tag 1 anwesend" in text(row[celik.id])
    assert "Anwesenheit Tag 2 nicht erfasst" in text(row[schmidt.id])
    for earner in (nguyen, oneill):
        assert f"/manage/anmeldungen/{earner.id}/bescheinigung.pdf" in row[earner.id]
    assert "bescheinigung.pdf" not in row[celik.id]

    one = client.get(f"/manage/anmeldungen/{oneill.id}/bescheinigung.pdf")
    assert one.status_code == 200
    assert one.mimetype == "application/pdf"
    assert (
        'filename="teilnahmebescheinigung-o-neill-siobhan.pdf"'
        in one.headers["Content-Disposition"]
    )
    assert "Siobhán O'Neill" in _text(_read(one.data))

    everyone = client.get(f"/manage/seminare/{seminar.id}/bescheinigungen.pdf")
    assert everyone.status_code == 200
    reader = _read(everyone.data)
    assert [_text(reader, n).count("Teilnahmebescheinigung") for n in range(2)] == [1, 1]
    names = [_text(reader, n) for n in range(len(reader.pages))]
    assert len(names) == 2
    assert "Thị Lan Nguyễn" in names[0] and "Siobhán O'Neill" in names[1]
    assert not any("Çelik" in page or "Schmidt" in page for page in names)

    # someone who missed a day: no PDF, the reason instead
    missed = client.get(f"/manage/anmeldungen/{celik.id}/bescheinigung.pdf")
    assert missed.status_code == 303
    after = client.get(missed.headers["Location"])
    assert "Für Ayşe Çelik gibt es keine Teilnahmebescheinigung: nur an Tag 1 anwesend." in text(
        after.text
    )


def test_nobody_present_on_both_days_means_no_collection(client):
    seminar, people = factories.seminar_held_with([("Yılmaz", "Deniz")])
    factories.record_days(people[0], True, False)
    _login_vhs(client, seminar)

    response = client.get(f"/manage/seminare/{seminar.id}/bescheinigungen.pdf")
    assert response.status_code == 303
    assert messages.NO_CERTIFICATES in text(client.get(response.headers["Location"]).text)
    page = client.get(f"/manage/seminare/{seminar.id}/bescheinigungen").text
    assert "Alle herunterladen" not in page


def test_the_pages_are_the_seminars_organisers_only(app_factory):
    app = app_factory()
    with app.app_context():
        seminar, (nguyen, *_rest) = _seminar()
        council = factories.council()
        seminar.councils = [council]
        db.session.commit()
        for who, expected in (
            (factories.user("contact", council_id=council.id), 200),
            (factories.user("admin"), 200),
            (factories.user("vhs", vhs_id=factories.vhs().id), 404),
            (factories.user("observer"), 404),
        ):
            client = app.test_client()
            factories.login(client, who)
            assert client.get(f"/manage/seminare/{seminar.id}/bescheinigungen").status_code == (
                expected
            )
            one = client.get(f"/manage/anmeldungen/{nguyen.id}/bescheinigung.pdf")
            assert one.status_code == expected


# -- the mail after the seminar, through a real SMTP server ---------------------------------


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_factory, smtp):
    app = app_factory(**smtp.settings(), BASE_URL="https://seminare.example")
    with app.app_context():
        yield app


def _pdf_attachments(message) -> list[bytes]:
    return [
        part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def _certificate_mails(smtp, registration) -> list:
    """The mails after the seminar to the person (not the booking's confirmation)."""
    return [m for m in smtp.to(registration.email) if m["Subject"].startswith("Ihre Teilnahme")]


def _plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_closing_day_2_mails_each_attendee_their_certificate_once(mail_app, smtp, monkeypatch):
    # without an evaluation or a seminar to suggest, the mail has no such paragraphs
    monkeypatch.setattr(after_seminar, "evaluation_url", lambda _registration, _token: None)
    monkeypatch.setattr(after_seminar, "next_module_suggestions", lambda _r, limit: [])
    client = mail_app.test_client()
    seminar, (nguyen, oneill, celik, schmidt) = _seminar()
    _login_vhs(client, seminar)

    attendance_page = client.get(f"/manage/seminare/{seminar.id}/anwesenheit/2").text
    assert "Anwesenheit abschließen und Bescheinigungen versenden" in attendance_page
    response = client.post(f"/manage/seminare/{seminar.id}/anwesenheit/abschliessen")
    assert response.status_code == 303
    response.close()  # the outbox is delivered once the response is done

    (to_nguyen,) = _certificate_mails(smtp, nguyen)
    (to_oneill,) = _certificate_mails(smtp, oneill)
    (to_celik,) = _certificate_mails(smtp, celik)  # one day: the mail, no certificate
    assert _pdf_attachments(to_celik) == []
    assert _certificate_mails(smtp, schmidt) == []  # day 2 not recorded yet: waits
    assert to_nguyen["Subject"] == "Ihre Teilnahmebescheinigung: Basismodul in Düsseldorf"
    (pdf,) = _pdf_attachments(to_oneill)
    page = _text(_read(pdf))
    assert "Siobhán O'Neill" in page and date_long(seminar.day2) in page
    (filename,) = [p.get_filename() for p in to_nguyen.iter_attachments()]
    assert filename == "teilnahmebescheinigung-nguyen-thi-lan.pdf"
    body = _plain(to_nguyen)
    assert "Guten Tag Thị Lan Nguyễn" in body
    assert re.search(r"https://seminare\.example/anmeldung/[\w-]+/bescheinigung\.pdf", body)
    assert "Befragung" not in body and "Aufbaumodul" not in body

    notice = text(client.get(response.headers["Location"]).text)
    assert (
        "Die Anwesenheit ist abgeschlossen. 3 Personen erhalten jetzt die E-Mail nach dem "
        "Seminar, 2 davon mit Teilnahmebescheinigung. 2 Personen bekommen keine "
        "Teilnahmebescheinigung (die Gründe stehen in der Liste)."
    ) in notice
    assert "versandt am" in notice

    # closing again sends nobody a second mail; someone recorded later gets theirs
    factories.record_days(db.session.get(Registration, schmidt.id), True, True)
    again = client.post(f"/manage/seminare/{seminar.id}/anwesenheit/abschliessen")
    again.close()
    assert len(_certificate_mails(smtp, nguyen)) == 1
    assert len(_certificate_mails(smtp, oneill)) == 1
    assert len(_certificate_mails(smtp, celik)) == 1
    (to_schmidt,) = _certificate_mails(smtp, schmidt)
    assert "Jonas Schmidt" in _text(_read(_pdf_attachments(to_schmidt)[0]))
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "attendance_closed")
    ).all()
    assert len(entries) == 2 and all(e.seminar_id == seminar.id for e in entries)


def test_the_mail_carries_the_evaluation_link_and_next_seminars_when_there_are_some(
    mail_app, smtp, monkeypatch
):
    seminar, (nguyen, *_rest) = _seminar()
    advanced = factories.seminar(module=2, vhs=seminar.vhs)
    monkeypatch.setattr(
        after_seminar,
        "evaluation_url",
        lambda r, _token: f"https://seminare.example/umfrage/{r.id}",
    )
    monkeypatch.setattr(after_seminar, "next_module_suggestions", lambda _r, limit: [advanced])

    after_seminar.close_attendance(seminar.id, None, seminar.day2)
    mail_id = db.session.scalars(
        sa.select(OutboxMail.id).where(
            OutboxMail.registration_id == nguyen.id, OutboxMail.kind == "after_seminar"
        )
    ).one()
    from app.services.outbox import deliver_pending

    deliver_pending(only=[mail_id])
    (message,) = _certificate_mails(smtp, nguyen)
    body = _plain(message)
    assert f"https://seminare.example/umfrage/{nguyen.id}" in body
    assert "Das Aufbaumodul „Entwicklung von Zielen und deren Umsetzung“" in body
    assert f"https://seminare.example/seminare/{advanced.id}" in body


def test_the_next_seminars_are_listed_as_free_or_as_waiting_list_only(mail_app, smtp):
    seminar, (nguyen, *_rest) = _seminar()
    nguyen.town = "Düsseldorf"
    db.session.commit()
    full = factories.seminar(module=2, vhs=seminar.vhs, capacity=8)
    factories.fill(full, 8, start=500)  # every place confirmed
    held = factories.seminar(module=2, capacity=8, venue_town="Neuss")
    factories.fill(held, 7, start=600)
    book_seat(held.id, factories.applicant(700), hold_hours=48)  # the last place held
    free = factories.seminar(module=2, capacity=8, venue_town="Köln")
    factories.fill(free, 7, start=800)  # one place left

    after_seminar.close_attendance(seminar.id, None, seminar.day2)
    from app.services.outbox import deliver_pending

    deliver_pending()
    (message,) = _certificate_mails(smtp, nguyen)
    body = _plain(message)
    offered, waiting = body.split("Diese Seminare haben noch Plätze frei:")[1].split(
        "Bei diesen Seminaren sind alle Plätze vergeben, "
        "Sie können sich nur auf die Warteliste setzen:"
    )
    assert f"/seminare/{free.id}" in offered
    assert f"/seminare/{full.id}" not in offered and f"/seminare/{held.id}" not in offered
    assert f"/seminare/{full.id}" in waiting and f"/seminare/{held.id}" in waiting
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "nur auf die Warteliste setzen:</p>" in html


def test_a_one_day_attendee_gets_the_mail_with_the_evaluation_link_but_no_certificate(
    mail_app, smtp, monkeypatch
):
    seminar, (nguyen, _oneill, celik, _schmidt, absent) = factories.seminar_held_with(
        [*NAMES, ("Abwesend", "Anton")]
    )
    factories.record_days(nguyen, True, True)
    factories.record_days(celik, True, False)
    factories.record_days(absent, False, False)
    advanced = factories.seminar(module=2, vhs=seminar.vhs)
    monkeypatch.setattr(
        after_seminar,
        "evaluation_url",
        lambda r, _token: f"https://seminare.example/umfrage/{r.id}",
    )
    monkeypatch.setattr(after_seminar, "next_module_suggestions", lambda _r, limit: [advanced])

    after_seminar.close_attendance(seminar.id, None, seminar.day2)
    from app.services.outbox import deliver_pending

    deliver_pending()
    (message,) = _certificate_mails(smtp, celik)
    assert message["Subject"] == "Ihre Teilnahme am Seminar: Basismodul in Düsseldorf"
    assert _pdf_attachments(message) == []
    body = _plain(message)
    assert f"https://seminare.example/umfrage/{celik.id}" in body
    assert "am 1. Seminartag dabei" in body
    assert "für die Teilnahme an beiden Seminartagen" in body
    assert "/bescheinigung.pdf" not in body
    # no completed Basismodul, so no Aufbaumodul to suggest
    assert "Aufbaumodul" not in body and f"/seminare/{advanced.id}" not in body
    assert "Zur Befragung" in message.get_body(preferencelist=("html",)).get_content()
    # the earner's mail still has it all; absent on both days: no mail
    (to_nguyen,) = _certificate_mails(smtp, nguyen)
    assert len(_pdf_attachments(to_nguyen)) == 1
    assert "Aufbaumodul" in _plain(to_nguyen)
    assert _certificate_mails(smtp, absent) == []


def test_closing_is_refused_before_day_2_and_long_after(client):
    ahead = factories.seminar()
    factories.fill(ahead, 2)
    _login_vhs(client, ahead)
    response = client.post(f"/manage/seminare/{ahead.id}/anwesenheit/abschliessen")
    assert response.status_code == 303
    assert messages.attendance_close_not_yet(ahead.day2) in text(
        client.get(response.headers["Location"]).text
    )

    old, (person,) = factories.seminar_held_with(
        [("Alt", "Anna")], day2_ago=after_seminar.LOOKBACK_DAYS + 1, vhs=ahead.vhs
    )
    factories.record_days(person, True, True)
    response = client.post(f"/manage/seminare/{old.id}/anwesenheit/abschliessen")
    assert messages.attendance_close_too_late(after_seminar.LOOKBACK_DAYS) in text(
        client.get(response.headers["Location"]).text
    )
    kinds = db.session.scalars(sa.select(OutboxMail.kind)).all()
    assert "after_seminar" not in kinds


def test_the_daily_command_sends_for_seminars_nobody_closed(mail_app, smtp):
    _recent, (nguyen, *_others) = _seminar(day2_ago=3)
    _too_fresh, (fresh,) = factories.seminar_held_with([("Neu", "Nina")], day2_ago=1)
    factories.record_days(fresh, True, True)
    runner = mail_app.test_cli_runner()

    result = runner.invoke(args=["send-certificates"])
    assert result.exit_code == 0, result.output
    # (the confirmations of the bookings above go out with them)
    # Nguyễn and O'Neill with certificates, Çelik (one day) without
    assert result.output.startswith("3 E-Mails nach dem Seminar aus 1 Seminar erstellt; ")
    assert result.output.strip().endswith("0 nicht zugestellt.")
    assert len(_certificate_mails(smtp, nguyen)) == 1
    assert _certificate_mails(smtp, fresh) == []

    again = runner.invoke(args=["send-certificates"])
    assert again.output.startswith("0 E-Mails nach dem Seminar aus 0 Seminaren erstellt")
    assert len(_certificate_mails(smtp, nguyen)) == 1
    # a day later the fresh one is due too
    tomorrow = runner.invoke(args=["send-certificates", "--days-after", "1"])
    assert tomorrow.output.startswith("1 E-Mail nach dem Seminar aus 1 Seminar erstellt")
    assert len(_certificate_mails(smtp, fresh)) == 1


def test_attendance_recorded_weeks_later_still_brings_the_mail_once(mail_app, smtp):
    """Six weeks after the seminar (the questionnaire is open for eight) the VHS records a
    person's days: the daily run mails them, and the purge of old mails a month later
    keeps what keeps them from getting it twice."""
    from datetime import timedelta

    from app.core.timeutil import today_berlin
    from app.services.retention import purge

    seminar, (late,) = factories.seminar_held_with([("Spät", "Sina")], day2_ago=42)
    factories.record_days(late, True, True)
    runner = mail_app.test_cli_runner()

    result = runner.invoke(args=["send-certificates"])

    assert result.output.startswith("1 E-Mail nach dem Seminar aus 1 Seminar erstellt")
    (message,) = _certificate_mails(smtp, late)
    assert len(_pdf_attachments(message)) == 1
    body = _plain(message)  # with the questionnaire, which is still open
    assert "Die Befragung ist anonym:" in body and "https://seminare.example/bewertung/" in body
    for mail in db.session.scalars(sa.select(OutboxMail)):
        mail.created_at -= timedelta(days=31)
    db.session.commit()
    purge(today_berlin(), 12)
    runner.invoke(args=["send-certificates"])
    assert len(_certificate_mails(smtp, late)) == 1
    # the organisers may still close the attendance, which sends nothing twice
    closed = after_seminar.close_attendance(seminar.id, None, today_berlin())
    assert (closed.queued, closed.earlier) == (0, 1)


# -- the personal link ----------------------------------------------------------------------


def test_the_personal_link_downloads_the_certificate_of_attendees_only(client):
    _held, (nguyen, _oneill, celik, _schmidt) = _seminar()

    token = factories.link_token(nguyen)
    response = client.get(f"/anmeldung/{token}/bescheinigung.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Thị Lan Nguyễn" in _text(_read(response.data))

    other = factories.link_token(celik)
    refused = client.get(f"/anmeldung/{other}/bescheinigung.pdf")
    assert refused.status_code == 303
    assert refused.headers["Location"].endswith(f"/anmeldung/{other}")
    assert messages.PUBLIC_NO_CERTIFICATE in text(client.get(refused.headers["Location"]).text)

    assert client.get("/anmeldung/kein-echter-link/bescheinigung.pdf").status_code == 404


def test_the_personal_page_offers_the_certificate_only_to_those_who_earned_it(client):
    _held, (nguyen, _oneill, celik, _schmidt) = _seminar()

    page = client.get(f"/anmeldung/{factories.link_token(nguyen)}").text
    assert "Teilnahmebescheinigung herunterladen" in page
    assert "/bescheinigung.pdf" in page

    missed_a_day = client.get(f"/anmeldung/{factories.link_token(celik)}").text
    assert "Teilnahmebescheinigung herunterladen" not in missed_a_day

    _ahead, (booked,) = factories.seminar_held_with([("Vorher", "Vera")], day2_ago=-10)
    before = client.get(f"/anmeldung/{factories.link_token(booked)}").text
    assert "Teilnahmebescheinigung herunterladen" not in before
