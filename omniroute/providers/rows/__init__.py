"""The catalog's rows beyond the core table in catalog.py, one module per group: API-key LLM
hosts (llm.py), aggregators and gateways (aggregators.py), enterprise platforms reached at the
customer's own host (enterprise.py), rows a cloud platform quirk reshapes (platform_auth.py),
embedding and image APIs (media.py), speech and image APIs with their own shapes
(media_apis.py) and local servers (local.py). Every row's base URL and auth were checked
against the page in its `docs_url`."""

from __future__ import annotations

from ..spec import ProviderSpec
from .aggregators import AGGREGATORS
from .enterprise import ENTERPRISE
from .llm import LLM_HOSTS
from .local import LOCAL_SERVER_ROWS
from .media import MEDIA
from .media_apis import MEDIA_APIS
from .platform_auth import PLATFORM_AUTH_ROWS

GROUPED_ROWS: tuple[ProviderSpec, ...] = (
    AGGREGATORS
    + LLM_HOSTS
    + ENTERPRISE
    + PLATFORM_AUTH_ROWS
    + MEDIA
    + MEDIA_APIS
    + LOCAL_SERVER_ROWS
)
