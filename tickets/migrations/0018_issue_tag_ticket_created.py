"""The top issue tags of a report period read from an index on the tag rows (PostgreSQL).

The figure counts the tags of the tickets created in the period. Reached from the
tickets, it was a join over every tag row (a parallel sequential scan of the 46 MB
table at 1,000,000 tickets) or one index probe per ticket of the period (50,000 for
28 days at that size): ~400 ms either way. Each tag row now carries its ticket's
creation time, kept by triggers, and an index on it holds the tag: the period's tag
rows are one range of that index, read alone (bench/README.md, "Reports at a million
tickets").

- A tag row gets its ticket's ``created_at`` when it is inserted (any path: the ORM's
  ``set``/``add``, ``bulk_create``, the bulk seeder's ``COPY``) or moved to another
  ticket.
- A ticket whose ``created_at`` changes (the services never do; data fixes and tests
  may) passes it on to its tag rows; ``WHEN`` keeps ordinary ticket saves free of it.

The column is PostgreSQL's alone, outside the model state like the report indexes
(0008): Django never writes it. SQLite counts the tags by joining the tickets.
Applying it at 1,000,000 tickets rewrites the tag table once (~930,000 rows); run
``VACUUM (ANALYZE) tickets_ticket_issue_tags`` afterwards (or let autovacuum) so the
index is read without visiting the table.
"""

from django.db import migrations

from helpdesk.db import PostgreSQLOnly

FORWARDS = """
ALTER TABLE tickets_ticket_issue_tags ADD COLUMN ticket_created_at timestamptz;
UPDATE tickets_ticket_issue_tags tag SET ticket_created_at = t.created_at
    FROM tickets_ticket t WHERE t.id = tag.ticket_id;

CREATE FUNCTION tickets_issue_tag_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT created_at INTO NEW.ticket_created_at FROM tickets_ticket WHERE id = NEW.ticket_id;
    RETURN NEW;
END $$;
CREATE TRIGGER tickets_issue_tag_created
    BEFORE INSERT OR UPDATE OF ticket_id ON tickets_ticket_issue_tags
    FOR EACH ROW EXECUTE FUNCTION tickets_issue_tag_created();

CREATE FUNCTION tickets_ticket_created_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets_ticket_issue_tags SET ticket_created_at = NEW.created_at
        WHERE ticket_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_ticket_created_moved
    AFTER UPDATE OF created_at ON tickets_ticket
    FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION tickets_ticket_created_moved();

CREATE INDEX ticket_issue_tags_created
    ON tickets_ticket_issue_tags (ticket_created_at) INCLUDE (issuetag_id, ticket_id);
"""

BACKWARDS = """
DROP TRIGGER tickets_ticket_created_moved ON tickets_ticket;
DROP FUNCTION tickets_ticket_created_moved();
DROP TRIGGER tickets_issue_tag_created ON tickets_ticket_issue_tags;
DROP FUNCTION tickets_issue_tag_created();
ALTER TABLE tickets_ticket_issue_tags DROP COLUMN ticket_created_at;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0017_index_review"),
    ]

    operations = [
        PostgreSQLOnly(migrations.RunSQL(FORWARDS, BACKWARDS)),
    ]
