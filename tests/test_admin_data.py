"""Programme data kept by the state organisers: VHS, councils, trainers, accounts."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Council, Role, Trainer, TrainerKind, User, Vhs
from app.services.trainers import set_tandem
from tests import factories
from tests.admin_helpers import field_error, field_value, login_admin, text


@pytest.fixture
def admin(client):
    return login_admin(client)


def _one(model, **where):
    db.session.expire_all()
    return db.session.scalars(sa.select(model).filter_by(**where)).one()


# -- VHS -------------------------------------------------------------------------------

VHS_FORM = {
    "name": "Volkshochschule Mülheim an der Ruhr",
    "town": "Mülheim an der Ruhr",
    "street": "Bergstraße 1–3",
    "postcode": "45479",
    "contact_name": "Jana Weber",
    "contact_email": "integration@vhs-muelheim.example",
    "contact_phone": "0208 455-4300",
    "slug": "",
}


def test_create_a_vhs_with_an_address_made_from_its_town(client, admin):
    response = client.post("/manage/admin/vhs/neu", data=VHS_FORM)
    assert response.status_code == 303
    vhs = _one(Vhs, town="Mülheim an der Ruhr")
    assert vhs.slug == "muelheim-an-der-ruhr"
    assert (vhs.contact_name, vhs.contact_phone) == ("Jana Weber", "0208 455-4300")
    assert client.get("/vhs/muelheim-an-der-ruhr").status_code == 200
    listing = text(client.get("/manage/admin/vhs").text)
    assert "Volkshochschule Mülheim an der Ruhr" in listing and "Jana Weber" in listing

    again = client.post("/manage/admin/vhs/neu", data=dict(VHS_FORM, name="VHS Mülheim 2"))
    assert again.status_code == 303
    assert _one(Vhs, name="VHS Mülheim 2").slug == "muelheim-an-der-ruhr-2"


def test_vhs_form_messages_and_kept_input(client, admin):
    factories.vhs(slug="vhs-koeln")
    data = dict(
        VHS_FORM, name="", postcode="4547", contact_email="kein-at-zeichen", slug="vhs-koeln"
    )
    response = client.post("/manage/admin/vhs/neu", data=data)
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "name") == "Bitte geben Sie den Namen an."
    assert field_error(page, "postcode") == "Bitte geben Sie eine Postleitzahl mit fünf Ziffern an."
    assert field_error(page, "contact_email").startswith("Bitte geben Sie eine gültige E-Mail")
    assert field_value(page, "town") == "Mülheim an der Ruhr"
    assert field_value(page, "contact_email") == "kein-at-zeichen"

    taken = client.post("/manage/admin/vhs/neu", data=dict(VHS_FORM, slug="vhs-koeln"))
    assert taken.status_code == 422
    assert field_error(taken.text, "slug") == "Diese Adresse hat schon eine andere VHS."
    wrong = client.post("/manage/admin/vhs/neu", data=dict(VHS_FORM, slug="VHS Köln"))
    assert field_error(wrong.text, "slug").startswith("Nur Kleinbuchstaben")


def test_edit_a_vhs_and_see_its_seminars(client, admin):
    seminar = factories.seminar()
    vhs = seminar.vhs
    page = client.get(f"/manage/admin/vhs/{vhs.id}").text
    assert field_value(page, "name") == vhs.name
    assert f"/manage/admin/seminare/{seminar.id}" in page

    data = dict(VHS_FORM, name="VHS Neu", town=vhs.town, slug=vhs.slug)
    assert client.post(f"/manage/admin/vhs/{vhs.id}", data=data).status_code == 303
    changed = _one(Vhs, id=vhs.id)
    assert (changed.name, changed.slug) == ("VHS Neu", vhs.slug)
    assert client.get("/manage/admin/vhs/999999").status_code == 404


# -- councils ------------------------------------------------------------------------


def test_create_and_edit_a_council(client, admin):
    data = {
        "town": "Gelsenkirchen",
        "kind": "integrationsausschuss",
        "office_email": "integration@gelsenkirchen.example",
        "contact_name": "Deniz Aydın",
        "contact_phone": "0209 169-0",
    }
    assert client.post("/manage/admin/gremien/neu", data=data).status_code == 303
    council = _one(Council, town="Gelsenkirchen")
    assert council.kind == "integrationsausschuss"
    listing = text(client.get("/manage/admin/gremien").text)
    assert "Gelsenkirchen Integrationsausschuss" in listing and "Deniz Aydın" in listing

    edit = dict(data, kind="integrationsrat")
    assert client.post(f"/manage/admin/gremien/{council.id}", data=edit).status_code == 303
    assert _one(Council, id=council.id).kind == "integrationsrat"


def test_council_form_messages_and_one_council_per_town(client, admin):
    factories.council(town="Hagen")
    response = client.post(
        "/manage/admin/gremien/neu",
        data={"town": "hagen", "kind": "integrationsrat", "office_email": "ir@hagen.example"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "town") == "Für diesen Ort gibt es schon ein Gremium."
    assert field_value(response.text, "office_email") == "ir@hagen.example"

    missing = client.post(
        "/manage/admin/gremien/neu", data={"town": "", "kind": "anders", "office_email": ""}
    )
    assert missing.status_code == 422
    assert field_error(missing.text, "town") == "Bitte geben Sie die Stadt oder Gemeinde an."
    assert field_error(missing.text, "kind") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert field_error(missing.text, "office_email") == (
        "Bitte geben Sie die E-Mail-Adresse der Geschäftsstelle an."
    )


def test_council_page_shows_its_contact_persons_and_seminars(client, admin):
    council = factories.council(town="Xstadt")
    factories.user("contact", council_id=council.id, name="Petra Kontakt")
    factories.user("contact", council_id=factories.council().id, name="Andere Person")
    seminar = factories.seminar(councils=[council])

    page = text(client.get(f"/manage/admin/gremien/{council.id}").text)

    assert "Petra Kontakt" in page and "Andere Person" not in page
    assert f"Nr. {seminar.id}" in page
    assert "Petra Kontakt" in text(client.get("/manage/admin/gremien").text)


# -- trainers ------------------------------------------------------------------------


def test_create_and_edit_trainers(client, admin):
    data = {"name": "Anna Bildung", "email": "Anna@Example.org", "kind": "adult_educator"}
    assert client.post("/manage/admin/trainer/neu", data=data).status_code == 303
    trainer = _one(Trainer, name="Anna Bildung")
    assert (trainer.email, trainer.kind) == ("anna@example.org", TrainerKind.ADULT_EDUCATOR)
    listing = text(client.get("/manage/admin/trainer").text)
    assert "Anna Bildung Erwachsenenbildner*in anna@example.org" in listing

    edit = dict(data, name="Anna B. Bildung", kind="council_field")
    assert client.post(f"/manage/admin/trainer/{trainer.id}", data=edit).status_code == 303
    assert _one(Trainer, id=trainer.id).kind == TrainerKind.COUNCIL_FIELD


def test_trainer_form_messages(client, admin):
    factories.trainer(email="belegt@example.org")
    response = client.post(
        "/manage/admin/trainer/neu",
        data={"name": "", "email": "Belegt@example.org", "kind": "anders"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "name") == "Bitte geben Sie den Namen an."
    assert field_error(response.text, "kind") == "Bitte wählen Sie einen Eintrag aus der Liste."
    taken = client.post(
        "/manage/admin/trainer/neu",
        data={"name": "Zweite", "email": "belegt@example.org", "kind": "adult_educator"},
    )
    assert field_error(taken.text, "email") == (
        "Für diese E-Mail-Adresse gibt es schon eine*n Trainer*in."
    )
    assert field_value(taken.text, "name") == "Zweite"


def test_a_trainers_kind_stays_while_they_are_assigned(client, admin):
    trainer = factories.trainer("adult_educator")
    seminar = factories.seminar()
    set_tandem(seminar.id, {TrainerKind.ADULT_EDUCATOR: (trainer.id, 0)})
    response = client.post(
        f"/manage/admin/trainer/{trainer.id}",
        data={"name": trainer.name, "email": trainer.email, "kind": "council_field"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "kind") == (
        "Die Art lässt sich nicht ändern, solange die Person Seminaren zugeordnet ist "
        f"(Seminar Nr. {seminar.id})."
    )
    assert _one(Trainer, id=trainer.id).kind == TrainerKind.ADULT_EDUCATOR


# -- accounts ----------------------------------------------------------------------------


def test_edit_an_accounts_role_and_scope(client, admin):
    vhs, council = factories.vhs(), factories.council()
    account = factories.user("vhs", vhs_id=vhs.id)
    assert f"/manage/admin/nutzer/{account.id}" in client.get("/manage/admin/nutzer").text

    response = client.post(
        f"/manage/admin/nutzer/{account.id}",
        data={"name": "Neu", "role": "contact", "vhs_id": "0", "council_id": str(council.id),
              "active": "y"},
    )  # fmt: skip

    assert response.status_code == 303
    changed = _one(User, id=account.id)
    assert (changed.role, changed.vhs_id, changed.council_id) == (Role.CONTACT, None, council.id)

    missing = client.post(
        f"/manage/admin/nutzer/{account.id}",
        data={"name": "Neu", "role": "vhs", "vhs_id": "0", "council_id": "0", "active": "y"},
    )
    assert missing.status_code == 422
    assert field_error(missing.text, "vhs_id") == "Bitte wählen Sie die Volkshochschule."


def test_a_deactivated_account_can_no_longer_log_in(app, client, admin):
    account = factories.user("vhs", vhs_id=factories.vhs().id)
    other = app.test_client()
    factories.login(other, account)
    assert other.get("/manage/").status_code == 200

    client.post(
        f"/manage/admin/nutzer/{account.id}",
        data={"name": "", "role": "vhs", "vhs_id": str(account.vhs_id), "council_id": "0"},
    )

    assert _one(User, id=account.id).active is False
    assert other.get("/manage/").status_code == 302  # the running session ended
    assert factories.login(app.test_client(), account).status_code == 422
    assert "gesperrt" in text(client.get("/manage/admin/nutzer").text)


def test_admins_cannot_lock_themselves_out(client, admin):
    response = client.post(
        f"/manage/admin/nutzer/{admin.id}",
        data={"name": "", "role": "vhs", "vhs_id": str(factories.vhs().id), "council_id": "0"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "role") == (
        "Sie können sich nicht selbst die Rolle Landesebene nehmen."
    )
    assert field_error(response.text, "active") == "Sie können Ihr eigenes Konto nicht sperren."
    assert _one(User, id=admin.id).role == Role.ADMIN
