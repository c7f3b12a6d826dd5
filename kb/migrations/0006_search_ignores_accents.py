"""Search ignores accents on PostgreSQL: unaccent, one text search configuration per language.

Each ``kb_<language>`` configuration is a copy of PostgreSQL's own (its stop
words and stemmer) in which words with letters outside ASCII go through the
``unaccent`` dictionary before stemming, the arrangement PostgreSQL's unaccent
documentation gives. A tsvector and a tsquery made with the same configuration
agree, so "donnees" finds "données" and the other way round, through the same
GIN index on ``search_vector``. The trigger now builds the vector with
``kb_english``; the French, Spanish and Portuguese configurations are there for
articles written in those languages. Names are written out here, not imported,
so this migration stays what it was. On SQLite nothing here touches the database.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

from helpdesk.db import PostgreSQLOnly

LANGUAGES = ("english", "french", "spanish", "portuguese")


def _configurations() -> str:
    return "\n".join(
        f"""
DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_{language};
CREATE TEXT SEARCH CONFIGURATION kb_{language} (COPY = pg_catalog.{language});
ALTER TEXT SEARCH CONFIGURATION kb_{language}
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {language}_stem;"""
        for language in LANGUAGES
    )


TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION kb_article_search_vector_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('%(config)s', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('%(config)s', coalesce(NEW.summary, '') || ' '
                                 || replace(coalesce(NEW.tags, ''), ',', ' ')), 'B')
        || setweight(to_tsvector('%(config)s', coalesce(NEW.body_text, '')), 'C');
    RETURN NEW;
END
$$;
UPDATE kb_article SET title = title;
"""


def _trigger_function(config: str) -> str:
    return TRIGGER_FUNCTION.replace("%(config)s", config)


FORWARD = _configurations() + _trigger_function("kb_english")
BACKWARD = _trigger_function("english") + "\n".join(
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_{language};" for language in LANGUAGES
)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0005_article_html_policy"),
    ]

    operations = [
        UnaccentExtension(),  # does nothing on other databases
        PostgreSQLOnly(migrations.RunSQL(FORWARD, BACKWARD)),
    ]
