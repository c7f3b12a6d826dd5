"""The agent desk, mounted at /desk/."""

from django.urls import path

from desk.views import (
    actions,
    attention,
    canned,
    create,
    l2_news,
    profile,
    queue,
    taxonomy,
    ticket,
)

app_name = "desk"

urlpatterns = [
    path("", queue.home, name="home"),
    path("queues/<slug:queue>/", queue.queue, name="queue"),
    path("bulk/", queue.bulk, name="bulk"),
    path("views/", queue.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", queue.delete_view, name="delete_view"),
    path("canned/", canned.canned_list, name="canned_list"),
    path("canned/<int:canned_id>/", canned.canned_edit, name="canned_edit"),
    path("canned/<int:canned_id>/delete/", canned.canned_delete, name="canned_delete"),
    path("tickets/new/", create.log_ticket, name="log_ticket"),
    path("profile/", profile.profile, name="profile"),
    path("tickets/<int:ticket_id>/", ticket.workspace, name="ticket"),
    path("tickets/<int:ticket_id>/triage/", actions.triage, name="triage"),
    path("tickets/<int:ticket_id>/reply/", actions.reply, name="reply"),
    path("tickets/<int:ticket_id>/assign-me/", actions.assign_me, name="assign_me"),
    path("tickets/<int:ticket_id>/escalate/", actions.escalate, name="escalate"),
    path("tickets/<int:ticket_id>/link-issue/", actions.link_issue, name="link_issue"),
    path("tickets/<int:ticket_id>/merge/", actions.merge, name="merge"),
    path("tickets/<int:ticket_id>/urgent/", attention.urgent, name="urgent"),
    path("tickets/<int:ticket_id>/partner/", taxonomy.new_partner, name="new_partner"),
    path("partners/options/", taxonomy.partner_options, name="partner_options"),
    path(
        "tickets/<int:ticket_id>/l2-news/dismiss/",
        l2_news.dismiss_l2_news,
        name="dismiss_l2_news",
    ),
    path("tickets/<int:ticket_id>/reopen/", actions.reopen, name="reopen"),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        ticket.attachment,
        name="attachment",
    ),
]
