"""Full-text and typo-tolerant search on PostgreSQL: pg_trgm, a trigger, two GIN indexes.

The trigger keeps ``search_vector`` in step with whatever writes an article
(services, bulk inserts, queryset updates): the title weighs most (A), then the
summary and tags (B), then the body's plain text (C). The configuration name is
written out here, not imported, so this migration stays what it was.
On SQLite nothing here touches the database.
"""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from helpdesk.db import PostgreSQLOnly

CREATE_TRIGGER = """
-- Kept in the row (compressed if need be), not in the TOAST table: ranking reads
-- the vector of every matching article, and fetching each from TOAST was most
-- of the cost of a search for a common word (about 60 ms of 75 at 10,000 articles).
ALTER TABLE kb_article ALTER COLUMN search_vector SET STORAGE MAIN;
CREATE OR REPLACE FUNCTION kb_article_search_vector_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '') || ' '
                                 || replace(coalesce(NEW.tags, ''), ',', ' ')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body_text, '')), 'C');
    RETURN NEW;
END
$$;
CREATE TRIGGER kb_article_search_vector
    BEFORE INSERT OR UPDATE OF title, summary, tags, body_text ON kb_article
    FOR EACH ROW EXECUTE FUNCTION kb_article_search_vector_update();
UPDATE kb_article SET title = title;
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS kb_article_search_vector ON kb_article;
DROP FUNCTION IF EXISTS kb_article_search_vector_update();
UPDATE kb_article SET search_vector = NULL;
ALTER TABLE kb_article ALTER COLUMN search_vector SET STORAGE EXTENDED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        PostgreSQLOnly(migrations.RunSQL(CREATE_TRIGGER, DROP_TRIGGER)),
        PostgreSQLOnly(
            migrations.AddIndex(
                model_name="article",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["search_vector"], name="kb_article_search"
                ),
            )
        ),
        PostgreSQLOnly(
            migrations.AddIndex(
                model_name="article",
                index=django.contrib.postgres.indexes.GinIndex(
                    fields=["title"], name="kb_article_title_trgm", opclasses=["gin_trgm_ops"]
                ),
            )
        ),
    ]
