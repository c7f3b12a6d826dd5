"""The customer update drafted from L2's news: summarised, no contact details; its cost."""

from __future__ import annotations

import pytest

from tests import factories
from tests.desk_helpers import logged_in
from tests.github_factories import REPOSITORY, WEBHOOK_SECRET
from tests.l2_news_helpers import (
    WORKAROUND,
    comment_payload,
    escalated_on_seven,
    fresh,
    l2_queue,
    url,
    webhook,
)
from tickets import escalation
from tickets.escalation.redaction import Context
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def agent():
    return factories.l1_agent(first_name="Lena")


@pytest.fixture
def escalated(agent) -> Ticket:
    return escalated_on_seven(agent)


def test_the_drafted_update_reads_as_a_letter_to_the_partner(client, escalated):
    webhook(client, "issue_comment", comment_payload(WORKAROUND), "d-workaround")

    draft = escalation.draft_customer_update(fresh(escalated))

    assert draft == (
        "Hello Amina,\n\n"
        "Our engineering team has an update on the problem you reported in "
        f"{escalated.reference} (“Data export stops at 50%”):\n\n"
        "Thanks, reproduced with the file [name] sent from [email].\n\n"
        "Workaround: untick Include media in Settings > Export, then export again. "
        "Call me on [phone] or write to [email] if it still fails.\n\n"
        "Best regards,\nThe support team"
    )


def test_a_comment_summary_keeps_public_links_and_drops_the_repository_and_the_engineers():
    comment = (
        "@alice @org/backend please see [the docs](https://docs.example.org/export) and "
        f"[our fix](https://github.com/{REPOSITORY}/pull/3) ({REPOSITORY}#7).\n\n"
        "<!-- internal -->\n<details>server logs</details>\n\n"
        "Second paragraph.\n\n" + "word " * 400
    )

    summary = escalation.summarise_for_customer(comment, Context(), repository=REPOSITORY)

    assert summary == (
        "Please see the docs (https://docs.example.org/export) and our fix.\n\nSecond paragraph."
    )
    long = escalation.summarise_for_customer("word " * 400, Context(), repository=REPOSITORY)
    assert long.startswith("Word word")
    assert long.endswith("word …")
    assert len(long) <= 602


def test_the_workspace_and_queue_with_l2_news_cost_a_fixed_number_of_queries(
    client, agent, escalated, django_assert_max_num_queries
):
    for n in range(3):
        webhook(client, "issue_comment", comment_payload(f"Update {n}", comment_id=n), f"d-{n}")
    desk = logged_in(agent)
    desk.get(url("ticket", escalated))
    with django_assert_max_num_queries(20):
        assert "Update 2" in desk.get(url("ticket", escalated)).content.decode()
    with django_assert_max_num_queries(12):
        assert desk.get(l2_queue()).status_code == 200
