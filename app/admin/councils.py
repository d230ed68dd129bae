from flask import flash, render_template, url_for
from flask_login import current_user

from app.admin import bp, new_and_edit, queries
from app.admin.forms import CouncilForm, region_of
from app.models import Council, CouncilKind
from app.services import messages
from app.services.directory import CouncilData, save_council
from app.web.htmx import see_other
from app.web.pages import form_page


@bp.get("/gremien")
def councils():
    items = queries.councils()
    return render_template(
        "admin/councils.html", items=items, contacts=queries.contacts([c.id for c in items])
    )


def _page(council: Council | None):
    form = CouncilForm(obj=council)

    def save():
        values = {name: form[name].data or "" for name in CouncilData.__dataclass_fields__}
        values["kind"] = CouncilKind(form.kind.data)
        values["region"] = region_of(form.region)
        saved = save_council(
            council.id if council else None, CouncilData(**values), actor_id=current_user.id
        )
        flash(messages.saved(f"Das Gremium {saved.town}"), "success")
        return see_other(url_for("admin.council_edit", council_id=saved.id))

    return form_page(
        form,
        "admin/council_form.html",
        save,
        council=council,
        hosted=queries.hosted(council),
        contacts=queries.contacts([council.id])[council.id] if council else [],
    )


new_and_edit("/gremien", "council", Council, _page)
