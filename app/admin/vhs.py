from flask import flash, render_template, url_for
from flask_login import current_user

from app.admin import bp, new_and_edit, queries
from app.admin.forms import VhsForm, region_of
from app.models import Vhs
from app.services import messages
from app.services.directory import VhsData, save_vhs
from app.web.htmx import see_other
from app.web.pages import form_page


@bp.get("/vhs")
def vhs_list():
    return render_template("admin/vhs_list.html", items=queries.vhs_with_seminars())


def _page(vhs: Vhs | None):
    form = VhsForm(obj=vhs)

    def save():
        values = {name: form[name].data or "" for name in VhsData.__dataclass_fields__}
        values["region"] = region_of(form.region)
        saved = save_vhs(vhs.id if vhs else None, VhsData(**values), actor_id=current_user.id)
        flash(messages.saved(f"Die {saved.name}"), "success")
        return see_other(url_for("admin.vhs_edit", vhs_id=saved.id))

    return form_page(form, "admin/vhs_form.html", save, vhs=vhs)


new_and_edit("/vhs", "vhs", Vhs, _page)
