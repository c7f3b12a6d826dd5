"""The knowledge base's models, one module per concern; import them from here.

- ``articles``: Section, Article (with its QuerySet), status and visibility.
- ``revisions``: ArticleRevision, the history of every change.
- ``images``: ArticleImage and the checks an upload passes.
- ``feedback``: ArticleVote ("did this help?") and SuggestionEvent (deflection).
"""

from kb.models.articles import (
    SEARCH_CONFIG,
    SEARCH_CONFIGS,
    Article,
    ArticleQuerySet,
    Section,
    Status,
    Visibility,
    search_config,
)
from kb.models.feedback import (
    QUERY_MAX_LENGTH,
    ArticleVote,
    SuggestionEvent,
    SuggestionEventQuerySet,
    SuggestionKind,
    SuggestionSource,
)
from kb.models.images import (
    IMAGE_FORMATS,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    ArticleImage,
    image_format,
    image_upload_to,
    validate_image_content,
    validate_image_size,
)
from kb.models.revisions import ArticleRevision, RevisionKind

__all__ = [
    "IMAGE_FORMATS",
    "IMAGE_MAX_BYTES",
    "IMAGE_MAX_PIXELS",
    "QUERY_MAX_LENGTH",
    "SEARCH_CONFIG",
    "SEARCH_CONFIGS",
    "Article",
    "ArticleImage",
    "ArticleQuerySet",
    "ArticleRevision",
    "ArticleVote",
    "RevisionKind",
    "Section",
    "Status",
    "SuggestionEvent",
    "SuggestionEventQuerySet",
    "SuggestionKind",
    "SuggestionSource",
    "Visibility",
    "image_format",
    "image_upload_to",
    "search_config",
    "validate_image_content",
    "validate_image_size",
]
