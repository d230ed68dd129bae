"""Choosing the locations (DOMAIN.md rule 9): the overview of a programme's interest
declarations with its filters (GET parameters, so a filtered view is a link), chart
and export; selecting a declared module (a confirm page first) or declining it with a
reason. Admins only: the declarations name their contact persons."""

from flask import Response, abort, flash, render_template, request, url_for
from flask_login import current_user

from app.admin import bp, queries
from app.admin.interest_forms import DeclineOfferForm, SelectOfferForm, chosen_id
from app.core.enums import Module, Region
from app.core.timeutil import today_berlin
from app.extensions import db
from app.models import Programme
from app.services import interest_choice, interest_export, messages
from app.services.errors import ServiceError
from app.services.interest_overview import (
    Filters,
    OfferStatus,
    counts_per_module,
    counts_per_region,
    offer_row,
    overview,
    programme_or_current,
)
from app.web.charts import BarChart, Series, bar_svg
from app.web.downloads import XLSX, download
from app.web.htmx import render, see_other
from app.web.inputs import int_arg
from app.web.pages import form_status, show_refusal
from app.web.security import no_store


def _query() -> tuple[Programme | None, Filters]:
    programme = programme_or_current(int_arg("programm"))
    filters = Filters.parse(
        request.args.get("modul"), request.args.get("status"), request.args.get("bezirk")
    )
    return programme, filters


def _filter_args(programme: Programme | None, filters: Filters) -> dict[str, str]:
    """The filters as the page's address carries them (for links and the export)."""
    args = {}
    if programme is not None and request.args.get("programm"):
        args["programm"] = str(programme.id)
    if filters.module:
        args["modul"] = str(int(filters.module))
    if filters.status:
        args["status"] = filters.status.value
    if filters.region:
        args["bezirk"] = filters.region.value
    return args


def _chart(title: str, summary: str, counts, label_heading: str) -> BarChart:
    return BarChart(
        title=title,
        summary=summary,
        label_heading=label_heading,
        labels=tuple(counts.labels),
        series=(
            Series("angeboten", tuple(counts.offered)),
            Series("ausgewählt", tuple(counts.selected)),
        ),
    )


def _charts(rows) -> list[tuple[str, BarChart]]:
    summary = (
        "Angebotene Module aus bestätigten Interessenbekundungen und davon ausgewählte "
        "Standorte, für das ganze Programm."
    )
    return [
        (
            "chart-modules",
            _chart("Angebote und Auswahl je Modul", summary, counts_per_module(rows), "Modul"),
        ),
        (
            "chart-regions",
            _chart(
                "Angebote und Auswahl je Regierungsbezirk",
                summary,
                counts_per_region(rows),
                "Regierungsbezirk",
            ),
        ),
    ]


@bp.get("/interesse")
def interest_overview():
    programme, filters = _query()
    context = {
        "programme": programme,
        "filters": filters,
        "filter_args": _filter_args(programme, filters),
        "programmes": queries.programme_choices(),
        "statuses": list(OfferStatus),
        "regions": list(Region),
        "modules": list(Module),
    }
    if programme is not None:
        data = overview(programme)
        context.update(
            data=data,
            rows=data.filtered(filters),
            charts=[
                (element_id, chart, bar_svg(chart, element_id))
                for element_id, chart in _charts(data.rows)
            ],
        )
    return render("admin/interest.html", "admin/_interest_results.html", **context)


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    filename = f"interessenbekundungen-{today_berlin().isoformat()}.{extension}"
    return no_store(download(body, mimetype, filename))


def _export_lines():
    programme, filters = _query()
    if programme is None:
        return []
    return interest_export.lines(overview(programme).filtered(filters))


@bp.get("/interesse/export.csv")
def interest_export_csv():
    # a bare text/* type: Werkzeug adds "; charset=utf-8" itself
    return _download(interest_export.as_csv(_export_lines()), "text/csv", "csv")


@bp.get("/interesse/export.xlsx")
def interest_export_xlsx():
    body = interest_export.as_xlsx(_export_lines(), "Interessenbekundungen")
    return _download(body, XLSX, "xlsx")


# -- deciding ------------------------------------------------------------------------------


def _offer_or_404(offer_id: int):
    return interest_choice.offer_or_none(offer_id) or abort(404)


def _back(offer) -> str:
    return url_for(
        "admin.interest_overview",
        programm=offer.declaration.programme_id,
        _anchor=f"angebot-{offer.id}",
    )


@bp.route("/interesse/angebot/<int:offer_id>/auswaehlen", methods=["GET", "POST"])
def interest_select(offer_id: int):
    """The confirm page names the seminar that will be created, with the warnings; the
    button creates it (days and places can be set here, which known VHS a new one is,
    and whether the VHS is invited to an account)."""
    offer = _offer_or_404(offer_id)
    same_vhs_id = chosen_id(request.form.get("same_vhs"))
    plan = interest_choice.plan_selection(offer, same_vhs_id=same_vhs_id)
    form = SelectOfferForm(
        data={
            "day1": plan.day1,
            "day2": plan.day2,
            "capacity": plan.capacity,
            "account_email": plan.account_offer,
        }
    )
    ask_domain = bool(form.account_other_domain.data)
    if request.method == "POST" and form.validate():
        try:
            decision = interest_choice.select_offer(
                offer_id,
                actor_id=current_user.id,
                day1=form.day1.data,
                day2=form.day2.data,
                capacity=form.capacity.data,
                same_vhs_id=same_vhs_id,
                account_email=form.account_address,
                other_domain=form.account_other_domain.data,
            )
        except ServiceError as refused:
            _refused(form, refused)
            ask_domain = ask_domain or isinstance(refused, interest_choice.AccountAddressUnchecked)
            offer = _offer_or_404(offer_id)
            plan = interest_choice.plan_selection(offer, same_vhs_id=same_vhs_id)
        else:
            flash(
                messages.offer_selected(
                    decision.seminar.id, decision.told, decision.invited, decision.account_existed
                ),
                "success",
            )
            return see_other(url_for("admin.seminar_detail", seminar_id=decision.seminar.id))
    return _offer_page(
        "admin/interest_select.html",
        form,
        offer,
        plan,
        ask_domain=ask_domain,
        rows=offer_row(offer),
    )


def _refused(form, refused: ServiceError) -> None:
    """Beside its field or as a notice; an offer decided (or withdrawn) meanwhile is
    said by the page itself, read afresh."""
    db.session.expire_all()
    if not isinstance(refused, interest_choice.OfferNotOpen):
        show_refusal(form, refused)


@bp.route("/interesse/angebot/<int:offer_id>/ablehnen", methods=["GET", "POST"])
def interest_decline(offer_id: int):
    offer = _offer_or_404(offer_id)
    form = DeclineOfferForm()
    if request.method == "POST" and form.validate():
        try:
            decision = interest_choice.decline_offer(
                offer_id, form.reason.data, actor_id=current_user.id
            )
        except ServiceError as refused:
            _refused(form, refused)
            offer = _offer_or_404(offer_id)
        else:
            flash(messages.offer_declined(decision.told), "success")
            return see_other(_back(offer))
    plan = interest_choice.plan_selection(offer)
    return _offer_page("admin/interest_decline.html", form, offer, plan, back=_back(offer))


def _offer_page(template: str, form, offer, plan, **context):
    """Selecting or declining an offer: the offer, what the decision would do, and why
    it cannot be made (if so)."""
    return render_template(
        template,
        form=form,
        offer=offer,
        plan=plan,
        refused=interest_choice.refusal(offer.declaration, offer),
        **context,
    ), form_status()
