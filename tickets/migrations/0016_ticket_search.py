"""Full-text ticket search on PostgreSQL: a search document per ticket, kept by triggers.

``tickets_search_refresh(ids)`` rebuilds the documents of some tickets from their
subject and number (weight A; "HD-1042" itself is read as
a reference before any text search), requester name and email, partner and the
organisation typed on the form (B), customer messages and public replies (C) and
internal notes (D), in message order, so the same rows always give the same
document; it also adds the new words to ``tickets_searchword``, where misspelled
words find their match by trigram similarity.

Statement-level triggers with transition tables call it for every ticket whose
subject, requester, partner or organisation changed, every ticket a message was
added to, edited in, moved from or deleted from, and every ticket of a renamed
requester or partner: one call per statement, so a ``COPY`` of 10,000 messages
(the bench's bulk seeder) rebuilds 10,000 documents in one set-based query.
A rebuild reads the thread as its statement sees it; the services lock the ticket
row before they add a message (``ticket_locked``), so two messages added to one
ticket at once cannot leave a document without one of them.
The configuration name ('simple') is written out, not imported, so this
migration stays what it was. On SQLite the tables are created and left empty.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from helpdesk.db import PostgreSQLOnly

# Long threads are cut (the first 200,000 characters of public messages, 100,000 of
# notes): a tsvector holds at most 1 MB, and an over-long one would make the statement
# that added the message fail. 200,000 characters of all-different short words (the
# worst case) make a 413 KB vector; a real thread of that length, far less.
CREATE_FUNCTIONS = r"""
-- In the row, not in TOAST: ranking reads the document of each of up to 1,000 matches.
ALTER TABLE tickets_ticketsearch ALTER COLUMN document SET STORAGE MAIN;
-- Ten times the default statistics: with the default, any word outside the ~1,000
-- most common is estimated at ~0.5 % of tickets (4,700 of a million for a word in
-- 12), and the planner then walks every ticket in id order looking for the newest
-- matches instead of asking the GIN index (2.4 s instead of 4 ms at a million).
ALTER TABLE tickets_ticketsearch ALTER COLUMN document SET STATISTICS 1000;

CREATE OR REPLACE FUNCTION tickets_search_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
WITH docs AS (
    SELECT t.id AS ticket_id,
        setweight(to_tsvector('simple', coalesce(t.subject, '') || ' ' || t.id), 'A')
        || setweight(to_tsvector('simple', concat_ws(' ', r.name, r.email,
                                 replace(coalesce(r.email, ''), '@', ' '), p.name,
                                 t.organisation_name)), 'B')
        || setweight(to_tsvector('simple', left(coalesce((
               SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id)
               FROM tickets_message m
               WHERE m.ticket_id = t.id AND m.kind IN ('customer', 'reply')), ''), 200000)), 'C')
        || setweight(to_tsvector('simple', left(coalesce((
               SELECT string_agg(m.body, ' ' ORDER BY m.created_at, m.id)
               FROM tickets_message m
               WHERE m.ticket_id = t.id AND m.kind = 'note'), ''), 100000)), 'D') AS document
    FROM tickets_ticket t
    LEFT JOIN tickets_requester r ON r.id = t.requester_id
    LEFT JOIN tickets_partner p ON p.id = t.partner_id
    WHERE t.id = ANY(ids)
), saved AS (
    INSERT INTO tickets_ticketsearch (ticket_id, document)
    SELECT ticket_id, document FROM docs
    ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document
    RETURNING document
)
-- In word order, so concurrent transactions adding the same new words cannot deadlock.
INSERT INTO tickets_searchword (word)
SELECT DISTINCT w FROM saved, unnest(tsvector_to_array(saved.document)) AS w
WHERE w ~ '^[[:alpha:]]{3,40}$'
ORDER BY w
ON CONFLICT DO NOTHING;
$$;

CREATE OR REPLACE FUNCTION tickets_ticket_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tickets_search_refresh(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tickets_search_refresh(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.subject IS DISTINCT FROM n.subject
               OR o.requester_id IS DISTINCT FROM n.requester_id
               OR o.partner_id IS DISTINCT FROM n.partner_id
               OR o.organisation_name IS DISTINCT FROM n.organisation_name));
    ELSE
        DELETE FROM tickets_ticketsearch WHERE ticket_id IN (SELECT id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_ticket_search_insert AFTER INSERT ON tickets_ticket
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticket_search_trigger();
CREATE TRIGGER tickets_ticket_search_update AFTER UPDATE ON tickets_ticket
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticket_search_trigger();
CREATE TRIGGER tickets_ticket_search_delete AFTER DELETE ON tickets_ticket
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_ticket_search_trigger();

CREATE OR REPLACE FUNCTION tickets_message_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tickets_search_refresh(ARRAY(SELECT DISTINCT ticket_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tickets_search_refresh(ARRAY(
            SELECT DISTINCT unnest(ARRAY[o.ticket_id, n.ticket_id])
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.body IS DISTINCT FROM n.body
               OR o.kind IS DISTINCT FROM n.kind
               OR o.ticket_id IS DISTINCT FROM n.ticket_id));
    ELSE
        PERFORM tickets_search_refresh(ARRAY(SELECT DISTINCT ticket_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_message_search_insert AFTER INSERT ON tickets_message
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_message_search_trigger();
CREATE TRIGGER tickets_message_search_update AFTER UPDATE ON tickets_message
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_message_search_trigger();
CREATE TRIGGER tickets_message_search_delete AFTER DELETE ON tickets_message
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_message_search_trigger();

-- A renamed requester or partner: every one of their tickets (a partner rename
-- rewrites all its tickets' documents, in the renaming transaction).
CREATE OR REPLACE FUNCTION tickets_requester_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tickets_search_refresh(ARRAY(
        SELECT t.id FROM tickets_ticket t
        WHERE t.requester_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.name IS DISTINCT FROM n.name OR o.email IS DISTINCT FROM n.email)));
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_requester_search_update AFTER UPDATE ON tickets_requester
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_requester_search_trigger();

CREATE OR REPLACE FUNCTION tickets_partner_search_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tickets_search_refresh(ARRAY(
        SELECT t.id FROM tickets_ticket t
        WHERE t.partner_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE o.name IS DISTINCT FROM n.name)));
    RETURN NULL;
END
$$;
CREATE TRIGGER tickets_partner_search_update AFTER UPDATE ON tickets_partner
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tickets_partner_search_trigger();

-- The tickets already there, 10,000 at a time.
DO $$
DECLARE
    low bigint;
    high bigint;
BEGIN
    SELECT min(id), max(id) INTO low, high FROM tickets_ticket;
    WHILE low <= high LOOP
        PERFORM tickets_search_refresh(ARRAY(
            SELECT id FROM tickets_ticket WHERE id >= low AND id < low + 10000));
        low := low + 10000;
    END LOOP;
END
$$;
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS tickets_partner_search_update ON tickets_partner;
DROP TRIGGER IF EXISTS tickets_requester_search_update ON tickets_requester;
DROP TRIGGER IF EXISTS tickets_message_search_insert ON tickets_message;
DROP TRIGGER IF EXISTS tickets_message_search_update ON tickets_message;
DROP TRIGGER IF EXISTS tickets_message_search_delete ON tickets_message;
DROP TRIGGER IF EXISTS tickets_ticket_search_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticket_search_update ON tickets_ticket;
DROP TRIGGER IF EXISTS tickets_ticket_search_delete ON tickets_ticket;
DROP FUNCTION IF EXISTS tickets_partner_search_trigger();
DROP FUNCTION IF EXISTS tickets_requester_search_trigger();
DROP FUNCTION IF EXISTS tickets_message_search_trigger();
DROP FUNCTION IF EXISTS tickets_ticket_search_trigger();
DROP FUNCTION IF EXISTS tickets_search_refresh(bigint[]);
ALTER TABLE tickets_ticketsearch ALTER COLUMN document SET STATISTICS -1;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0015_resolved_from_status_personal_canned"),
        # pg_trgm comes from the knowledge base's search migration (TrigramExtension,
        # PostgreSQL only). Not created again here: undoing this migration would then
        # drop the extension under the knowledge base's trigram index.
        ("kb", "0002_postgresql_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.TextField(primary_key=True, serialize=False, verbose_name="word"),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.CreateModel(
            name="TicketSearch",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
                (
                    "document",
                    django.contrib.postgres.search.SearchVectorField(
                        null=True, verbose_name="search document"
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket search document",
                "verbose_name_plural": "ticket search documents",
            },
        ),
        PostgreSQLOnly(migrations.RunSQL(CREATE_FUNCTIONS, DROP_FUNCTIONS)),
        # After the documents are written: one index build, not a million inserts.
        PostgreSQLOnly(
            migrations.AddIndex(
                model_name="ticketsearch",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["document"], name="ticket_search_document"
                ),
            )
        ),
        PostgreSQLOnly(
            migrations.AddIndex(
                model_name="searchword",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["word"], name="search_word_trgm", opclasses=["gin_trgm_ops"]
                ),
            )
        ),
    ]
