"""The queue's rows, rendered in Python (desk/queue_table.py), escape what people typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.desk_helpers import logged_in, ticket_from

pytestmark = pytest.mark.django_db


def test_a_subject_and_name_with_markup_are_shown_as_text_in_the_queue():
    client = logged_in(factories.l1_agent())
    ticket = ticket_from(subject='<script>alert("x")</script> & more', name='Bob "<b>" Tables')
    page = client.get(reverse("desk:queue", kwargs={"queue": "new"})).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "Bob &quot;&lt;b&gt;&quot; Tables" in page
    assert f'id="row-{ticket.pk}"' in page
    assert f'aria-label="Tick {ticket.reference}"' in page
