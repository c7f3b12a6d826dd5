"""Queue pages, bulk actions on a selection, and the agent's saved views."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from desk.access import TRIAGE, agent, desk_view
from desk.bulk_bar import bulk_options
from desk.filter_bar import filter_selects
from desk.forms import BulkForm, SavedViewForm
from desk.queue_table import queue_rows_html
from tickets import escalation, queues, services
from tickets.models import EscalationStatus, SavedView


@require_GET
@desk_view()
def home(request: HttpRequest) -> HttpResponse:
    return redirect("desk:queue", queue=queues.DEFAULT_QUEUE)


@require_GET
@desk_view()
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    if queue not in queues.QUEUES:
        raise Http404(_("There is no such queue."))
    user = agent(request)
    now = timezone.now()
    lists = queues.desk_lists(user)
    query = queues.parse_queue_query(queue, request.GET, lists)
    page = queues.queue_page(query, user, now)
    counts = queues.queue_counts(query, user, now)
    rows = queues.queue_rows(page.rows, lists, now, query)
    here = query.querystring()
    from_param = urlencode({"from": f"{queue}?{here}" if here else queue})
    # One reverse() for the page, not two per row.
    ticket_base = reverse("desk:ticket", kwargs={"ticket_id": 0}).removesuffix("0/")
    links = {row.ticket.pk: f"{ticket_base}{row.ticket.pk}/?{from_param}" for row in rows}
    # The GitHub issue of escalated rows, and whether it needs attention (one query, if any).
    escalated = [
        row.ticket.pk for row in rows if row.ticket.escalation_status != EscalationStatus.NONE
    ]
    issues = escalation.escalations_for(escalated) if escalated else {}
    can_triage = user.has_perm(TRIAGE)
    return render(
        request,
        "desk/queue.html",
        {
            "query": query,
            "lists": lists,
            "page": page,
            "rows": rows,
            "counts": counts,
            "queues": [
                (q, counts.label(counts.by_queue[slug])) for slug, q in queues.QUEUES.items()
            ],
            "view_count": counts.label(counts.view),
            "sorts": list(queues.SORTS.items()),
            "filter_selects": filter_selects(query, lists),
            "here": here,
            "links": links,
            "issues": issues,
            "next_query": query.querystring(after=page.next_cursor) if page.next_cursor else "",
            "previous_query": (
                query.querystring(before=page.previous_cursor) if page.previous_cursor else ""
            ),
            "can_triage": can_triage,
            "row_html": queue_rows_html(
                rows, links=links, issues=issues, can_triage=can_triage, now=now
            ),
            "bulk_actions": BULK_ACTION_LABELS,
            "bulk_options": bulk_options(user.pk) if can_triage else None,
            "now": now,
            "active_view": _active_view(lists, queue, here),
        },
    )


BULK_ACTION_LABELS = [
    ("assign", _("Assign to…")),
    ("category", _("Set category…")),
    ("impact", _("Set impact…")),
    ("add_tags", _("Add issue tags…")),
    ("set_tags", _("Replace issue tags…")),
    ("resolve", _("Resolve")),
    ("close", _("Close")),
]


def _active_view(lists: queues.DeskLists, queue: str, here: str) -> int | None:
    for view in lists.saved_views:
        if view.slug == queue and view.extra == here:
            return view.id
    return None


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/desk/"):
        target = fallback
    return HttpResponseRedirect(target)


@require_POST
@desk_view(TRIAGE)
def bulk(request: HttpRequest) -> HttpResponse:
    user = agent(request)
    lists = queues.desk_lists(user)
    form = BulkForm(request.POST, lists=lists)
    fallback = reverse("desk:queue", kwargs={"queue": queues.DEFAULT_QUEUE})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, fallback)
    data = form.cleaned_data
    result = services.tickets_bulk_update(
        selection=data["selected"],
        action=data["action"],
        by=user,
        assignee=data.get("assignee_user"),
        category=data.get("category_obj"),
        impact=data.get("impact_obj"),
        tags=data.get("tag_objs") or [],
    )
    if result.changed:
        messages.success(
            request,
            _("Changed %(count)d ticket(s): %(refs)s.")
            % {"count": len(result.changed), "refs": ", ".join(result.changed)},
        )
    if result.unchanged:
        messages.info(
            request,
            _("Already so, left as they were: %(refs)s.") % {"refs": ", ".join(result.unchanged)},
        )
    if result.stale:
        messages.warning(
            request,
            _(
                "Changed by someone else since this list was loaded, so left alone: %(refs)s. "
                "Check them and try again."
            )
            % {"refs": ", ".join(result.stale)},
        )
    for reference, reason in result.refused:
        messages.error(request, f"{reference}: {reason}")
    return _back(request, fallback)


@require_POST
@desk_view()
def save_view(request: HttpRequest) -> HttpResponse:
    user = agent(request)
    form = SavedViewForm(request.POST)
    fallback = reverse("desk:queue", kwargs={"queue": queues.DEFAULT_QUEUE})
    if not form.is_valid() or form.cleaned_data["queue"] not in queues.QUEUES:
        messages.error(request, _("Give the view a name (at most 80 characters)."))
        return _back(request, fallback)
    data = form.cleaned_data
    # Only what the allow-list understands is kept (no page cursors).
    lists = queues.desk_lists(user)
    parsed = queues.parse_queue_query(data["queue"], QueryDict(data["query"] or ""), lists)
    query = parsed.querystring()
    SavedView.objects.update_or_create(
        owner=user,
        name=data["name"].strip(),
        defaults={"queue": data["queue"], "query": query},
    )
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": data["name"].strip()})
    url = reverse("desk:queue", kwargs={"queue": data["queue"]})
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


@require_POST
@desk_view()
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    deleted, _rows = SavedView.objects.filter(pk=view_id, owner=agent(request)).delete()
    if not deleted:
        raise Http404
    messages.success(request, _("The saved view was removed."))
    return _back(request, reverse("desk:queue", kwargs={"queue": queues.DEFAULT_QUEUE}))


def parse_from(raw: str) -> tuple[str, QueryDict] | None:
    """The queue view a workspace was opened from (``new?impact=critical``), if valid."""
    slug, _sep, qs = (raw or "").partition("?")
    if slug not in queues.QUEUES:
        return None
    data = QueryDict(mutable=True)
    for key, value in parse_qsl(qs, keep_blank_values=False):
        if key not in ("after", "before"):
            data.appendlist(key, value)
    return slug, data
