"""Stored article HTML follows the sanitising policy of today, not of the day it was saved."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import call_command

from kb.html import ARTICLE_POLICY, MAIL_POLICY, html_to_text, sanitise_html
from kb.models import Article, ArticleRevision
from tests import kb_factories as kb

pytestmark = pytest.mark.django_db

# What a laxer, older allow-list might have let into the stored HTML.
LET_THROUGH = (
    '<p>Open the dashboard.</p><img src="x" onerror="alert(1)">'
    '<iframe src="https://evil.example"></iframe><a href="javascript:alert(1)">x</a>'
)


def cleaned_by_an_older_policy(article: Article) -> Article:
    Article.objects.filter(pk=article.pk).update(
        body_html=LET_THROUGH, html_policy="0ld0ld0ld0ld0ld0"
    )
    return Article.objects.get(pk=article.pk)


def assert_clean(html: str) -> None:
    assert "onerror" not in html
    assert "<iframe" not in html
    assert "javascript:" not in html


def test_a_saved_article_carries_the_fingerprint_of_the_policy_that_cleaned_it():
    article = kb.article("Export your data")

    assert article.html_policy == ARTICLE_POLICY.fingerprint
    assert Article.objects.get(pk=article.pk).html_is_current


def test_changing_the_allow_list_changes_the_fingerprint():
    fewer_tags = dataclasses.replace(ARTICLE_POLICY, tags=ARTICLE_POLICY.tags - {"img"})
    other_rel = dataclasses.replace(ARTICLE_POLICY, link_rel="nofollow")
    next_revision = dataclasses.replace(ARTICLE_POLICY, revision=ARTICLE_POLICY.revision + 1)

    fingerprints = {p.fingerprint for p in (ARTICLE_POLICY, fewer_tags, other_rel, next_revision)}

    assert len(fingerprints) == 4
    assert dataclasses.replace(ARTICLE_POLICY).fingerprint == ARTICLE_POLICY.fingerprint


def test_a_stale_article_is_cleaned_again_when_shown_before_the_command_runs(client):
    article = cleaned_by_an_older_policy(kb.article("Export your data"))

    page = client.get(article.get_absolute_url())

    assert page.status_code == 200
    body = page.content.decode()
    assert_clean(body)
    assert "Open the dashboard and choose Export." in body


def test_the_refresh_command_stores_clean_html_without_recording_an_edit():
    article = cleaned_by_an_older_policy(kb.article("Export your data"))
    current = kb.article("Sync your phone", body="Tap **Sync**.")
    revisions = ArticleRevision.objects.count()
    out = io.StringIO()

    call_command("kb_refresh_html", stdout=out)

    refreshed = Article.objects.get(pk=article.pk)
    assert refreshed.html_policy == ARTICLE_POLICY.fingerprint
    assert_clean(refreshed.body_html)
    assert "Open the dashboard and choose Export." in refreshed.body_html
    assert "dashboard" in refreshed.body_text
    assert refreshed.updated_at == article.updated_at
    assert ArticleRevision.objects.count() == revisions
    assert Article.objects.get(pk=current.pk).body_html == current.body_html
    assert out.getvalue().startswith("1 article(s) cleaned")

    again = io.StringIO()
    call_command("kb_refresh_html", stdout=again)
    assert again.getvalue().startswith("0 article(s) cleaned")


def test_articles_and_mail_have_their_own_named_policies():
    html = '<p>Hi</p><img src="https://tracker.example/open.gif"><div>block</div>'

    article = sanitise_html(html, ARTICLE_POLICY)
    mail = sanitise_html(html, MAIL_POLICY)

    assert '<img src="https://tracker.example/open.gif"' in article  # articles show images
    assert "<img" not in mail  # a remote image tells the sender the mail was read
    assert "<div>" not in article
    assert "<div>block</div>" in mail
    assert ARTICLE_POLICY.fingerprint != MAIL_POLICY.fingerprint


def test_text_of_a_mail_leaves_out_the_quoted_history_and_of_an_article_keeps_quotes():
    html = "<p>Thanks, that worked.</p><blockquote>On Monday you wrote: try again</blockquote>"

    assert html_to_text(html) == "Thanks, that worked.\n\nOn Monday you wrote: try again"
    assert html_to_text(html, drop_quoted=True) == "Thanks, that worked."
