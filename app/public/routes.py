import re
from dataclasses import replace

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from limits import parse_many

from app.core.ids import parse_id
from app.core.places import nearest_first
from app.core.timeutil import today_berlin
from app.database import read_transaction
from app.extensions import client_key, db, limiter
from app.models import Registration
from app.public import bp
from app.public.forms import RegistrationForm
from app.public.listing import (
    PER_PAGE,
    by_month,
    distance_text,
    listing_params,
    month_label,
    month_of,
    month_value,
    own_councils,
    paging,
    place_of,
    read_filters,
)
from app.public.queries import (
    already_registered,
    current_programme,
    hosting_councils,
    listed_seminars,
    public_seminar_or_404,
    upcoming_seminars,
    vhs_by_slug,
    vhs_without_seminars,
)
from app.services.availability import availability_for
from app.services.registrations import (
    AlreadyRegistered,
    HoldLapsed,
    RegistrationClosed,
    SeminarNotFound,
    book_seat,
    waitlist_position,
)
from app.web import rate_limits
from app.web.htmx import is_htmx, render, see_other
from app.web.inputs import int_arg
from app.web.page_cache import (
    cached_page,
    do_not_store,
    mark_ready,
    public_data_version,
    state_of,
)
from app.web.pages import show_refusal
from app.web.security import no_store
from app.web.validators import check_email

MAX_POLLED = 300
LAST_REGISTRATION = "last_registration"


def _live(seminars, known=None):
    """Availability of the seminars (taken from ``known`` where given) and the URL that
    polls for changes."""
    if known is None:
        seats = availability_for(seminars, today_berlin())
    else:
        seats = {s.id: known[s.id] for s in seminars}
    open_ids = [sid for sid, a in seats.items() if a.is_open]
    # a long listing polls for its open seminars only, as many as one poll may name
    polled = list(seats) if len(seats) <= MAX_POLLED else open_ids[:MAX_POLLED]
    poll_url = url_for("public.live_seats", ids=",".join(map(str, polled))) if open_ids else None
    return seats, poll_url


@bp.get("/")
@cached_page(public_data_version, params=listing_params)
def index():
    """The seminars by date, filtered by VHS, module and month; with a place typed, by
    distance from it, those its own council hosts first. Everything the list shows is in
    the URL: a GET form, which htmx sends as the person types."""
    filters = read_filters()
    everything = listed_seminars()
    everyone_seats = availability_for(everything, today_berlin())
    vhs_options = sorted({s.vhs.slug: s.vhs for s in everything}.values(), key=lambda v: v.name)
    months = {month_of(s) for s in everything}
    # a value that leads nowhere (no such VHS, a month without seminars, a place nobody
    # knows) is shown, but its page is never kept: the cache holds real pages only
    vhs_notice = None
    if filters.vhs_asked and filters.vhs not in {v.slug for v in vhs_options}:
        # the select offers no such VHS: all of them, and the page says why
        vhs_notice = vhs_without_seminars(filters.vhs)
        filters = replace(filters, vhs=None)
        do_not_store()
    if filters.place_unknown or (filters.month is not None and filters.month not in months):
        do_not_store()
    seminars = [s for s in everything if filters.admits(s)]
    near, hosted_by_own = None, {}
    if filters.place is not None:
        hosted_by_own = own_councils(filters.place, hosting_councils())
        near = nearest_first(
            seminars,
            filters.place,
            place_of,
            own=lambda s: s.id in hosted_by_own,
            closed=lambda s: not everyone_seats[s.id].is_open,
        )
    pages = paging(len(seminars), filters.page)
    if pages.number != filters.page:
        do_not_store()  # a page past the last is shown as the last, but never kept
    shown = slice(pages.first, pages.first + PER_PAGE)
    if near is not None:
        near = near[shown]
    seminars_shown = [n.item for n in near] if near is not None else seminars[shown]
    seats, poll_url = _live(seminars_shown, everyone_seats)
    # registration has closed everywhere: say so, and where to turn for the next programme
    none_open = not any(a.is_open for a in everyone_seats.values())
    return render(
        "public/index.html",
        "public/_seminar_results.html",
        filters=filters,
        vhs_notice=vhs_notice,
        vhs_options=vhs_options,
        months=[
            (month_value(m), month_label(m)) for m in sorted(months | {filters.month} - {None})
        ],
        groups=[(month_label(m), items) for m, items in by_month(seminars_shown)],
        pages=pages,
        near=near,
        hosted_by_own=hosted_by_own,
        distance_text=distance_text,
        seats=seats,
        poll_url=poll_url,
        count=len(seminars),
        none_open=none_open,
        programme=current_programme() if none_open else None,
        oob_count=is_htmx(),  # the live region stays; only its text changes
    )


@bp.get("/vhs/<slug>")
@cached_page(public_data_version)
def vhs_page(slug: str):
    vhs = vhs_by_slug(slug)
    if vhs is None:  # said on the page (404, never kept), with the way to every VHS
        return render("public/vhs.html", "public/_vhs.html", status=404, vhs=None)
    seminars = upcoming_seminars(vhs_id=vhs.id)
    seats, poll_url = _live(seminars)
    return render(
        "public/vhs.html",
        "public/_vhs.html",
        vhs=vhs,
        seminars=seminars,
        seats=seats,
        poll_url=poll_url,
    )


def _seminar_page(seminar, form, status=200, duplicate=False):
    seats, poll_url = _live([seminar])
    return render(
        "public/seminar.html",
        "public/_seminar.html",
        status=status,
        seminar=seminar,
        seat=seats[seminar.id],
        poll_url=poll_url,
        form=form,
        duplicate=duplicate,
    )


@bp.get("/seminare/<int:seminar_id>")
@cached_page(public_data_version)
def seminar_page(seminar_id: int):
    seminar = public_seminar_or_404(seminar_id)
    return _seminar_page(seminar, RegistrationForm())


@bp.get("/live/plaetze")
def live_seats():
    """The live seat indicators: the poller itself plus each indicator out of band.

    Cheap when nothing changed: one query of the data's version (no seminar loaded), then
    304 without rendering; any change of the public data renders it once anew.
    """
    raw = request.args.get("ids", "")
    if not PLAIN_IDS.fullmatch(raw) and polled_ids(raw) is None:
        abort(400)
    today = today_berlin()
    salt = f"{request.query_string.decode()}|{today}"
    version = public_data_version()
    etag = version.etag(salt)
    mark_ready(state_of(version, today))
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        seats = availability_for(listed_seminars(ids=polled_ids(raw)), today)
        still_open = any(a.is_open for a in seats.values())
        response = make_response(
            render_template(
                "public/_live_seats.html",
                seats=seats,
                poll_url=request.full_path if still_open else None,
            )
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


# What the pages poll with: comma-separated ids below a billion, as many as may be polled.
# It passes without a closer look; anything else is parsed in full (``polled_ids``).
PLAIN_IDS = re.compile(rf",*[1-9][0-9]{{0,8}}(?:,+[1-9][0-9]{{0,8}}){{0,{MAX_POLLED - 1}}},*")


def polled_ids(raw: str) -> list[int] | None:
    """The seminar ids of a poll, sorted and once each; None for nonsense."""
    ids = {parse_id(part) for part in raw.split(",") if part}
    if not ids or None in ids or len(ids) > MAX_POLLED:
        return None
    return sorted(ids)


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


@bp.get("/seminare/<int:seminar_id>/anmelden")
def register_form(seminar_id: int):
    return redirect(url_for("public.seminar_page", seminar_id=seminar_id, _anchor="anmeldung"))


def _per_seminar_limit() -> str:
    return current_app.config["REGISTRATION_PER_SEMINAR_LIMIT"]


def _client_and_seminar() -> str:
    return f"{client_key()}:seminar:{request.view_args.get('seminar_id')}"


@bp.post("/seminare/<int:seminar_id>/anmelden")
@limiter.limit(_registration_limit)
@limiter.limit(_per_seminar_limit, key_func=_client_and_seminar)
def register(seminar_id: int):
    """The booking, lean on its hot path: one write transaction and a redirect. The
    seminar is read for the page only when the form comes back (errors, closed)."""
    form = RegistrationForm()
    # Validate first (it may ask DNS): a POST's first query takes SQLite's write lock.
    if not form.validate():
        seminar = public_seminar_or_404(seminar_id)
        status = 409 if seminar.closed_reason(today_berlin()) is not None else 422
        return _registration_part(seminar, form, status=status)
    try:
        registration = book_seat(
            seminar_id, form.applicant(), hold_hours=current_app.config["HOLD_HOURS"]
        )
    except SeminarNotFound:
        abort(404)
    except AlreadyRegistered:
        return _registration_part(
            public_seminar_or_404(seminar_id), form, status=422, duplicate=True
        )
    except RegistrationClosed:
        return _registration_part(public_seminar_or_404(seminar_id), form, status=409)
    except HoldLapsed as refused:
        show_refusal(form, refused)
        return _registration_part(public_seminar_or_404(seminar_id), form, status=422)
    if is_htmx():
        with read_transaction():  # SQLite's write lock is not held while the answer renders
            return make_response(_outcome(registration, in_place=True))
    session[LAST_REGISTRATION] = registration.id
    return see_other(url_for("public.registered", seminar_id=seminar_id))


def _registration_part(seminar, form, status, duplicate=False):
    """The registration area again (form with errors, or the closed notice)."""
    if is_htmx():
        seats, _ = _live([seminar])
        html = render_template(
            "public/_registration.html",
            seminar=seminar,
            seat=seats[seminar.id],
            form=form,
            duplicate=duplicate,
        )
        return make_response(html, status)
    return _seminar_page(seminar, form, status=status, duplicate=duplicate)


@bp.get("/seminare/<int:seminar_id>/angemeldet")
def registered(seminar_id: int):
    """The outcome page after a registration without JavaScript (POST, redirect, GET).

    It shows the registration made in this browser session; the personal link
    itself only travels by mail, so that opening it proves the address.
    """
    registration_id = session.get(LAST_REGISTRATION)
    found = db.session.get(Registration, registration_id) if registration_id else None
    if found is None or found.seminar_id != seminar_id:
        return redirect(url_for("public.seminar_page", seminar_id=seminar_id))
    response = render(
        "public/registered.html",
        "public/_outcome.html",
        registration=found,
        seminar=found.seminar,
        position=waitlist_position(found),
        in_place=False,
    )
    return no_store(response)


def _outcome(registration: Registration, in_place: bool = False) -> str:
    seats = availability_for([registration.seminar], today_berlin()) if in_place else {}
    return render_template(
        "public/_outcome.html",
        registration=registration,
        seminar=registration.seminar,
        position=waitlist_position(registration),
        in_place=in_place,
        seats=seats,
    )


def _may_look_up_registrations() -> bool:
    """Whether this client may still ask who is registered: as often as it may send
    the form (REGISTRATION_RATE_LIMIT), counted apart from the form."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    return all(
        rate_limits.hit(item, "check-email", client_key())
        for item in parse_many(_registration_limit())
    )


@bp.post("/pruefen/e-mail")
def check_email_field():
    """Inline check of the address while the person fills in the form: its format, and
    whether it is registered for this seminar already (``seminar`` from hx-vals). It
    says no more than sending the form would, and past the form's rate limit it stops
    saying that (the form's own check still does, within its limit)."""
    address = request.form.get("email", "")
    error = check_email(address)
    seminar_id = int_arg("seminar", request.form)
    duplicate = (
        error is None
        and seminar_id is not None
        and _may_look_up_registrations()
        and already_registered(seminar_id, address)
    )
    return render_template("public/_email_feedback.html", error=error, duplicate=duplicate)


@bp.get("/impressum")
@cached_page()
def imprint():
    return render("public/imprint.html", "public/_imprint.html")


@bp.get("/datenschutz")
@cached_page()
def privacy():
    return render("public/privacy.html", "public/_privacy.html")


@bp.get("/barrierefreiheit")
@cached_page()
def accessibility():
    return render("public/accessibility.html", "public/_accessibility.html")


@bp.get("/leichte-sprache")
@cached_page()
def easy_language():
    """The seminars, registration and the rules around it in Leichte Sprache (BITV NRW)."""
    return render("public/easy_language.html", "public/_easy_language.html")
