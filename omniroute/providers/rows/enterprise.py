"""Enterprise platforms reached at the customer's own host: the row's base URL is a placeholder
(WORKSPACE) that the connection's base URL replaces, the way Azure's rows do. Both speak
OpenAI Chat Completions with a personal access token as the Bearer key; usage is billed in the
platform's own units, so no per-token prices."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

EMB = "embedding"

# fmt: off
ENTERPRISE: tuple[P, ...] = (
    P("databricks", "Databricks Foundation Model APIs", "databricks",
      "https://WORKSPACE.cloud.databricks.com/serving-endpoints", group="enterprise-cloud",
      models_path=None,
      docs_url="https://learn.microsoft.com/en-us/azure/databricks/machine-learning/model-serving/query-chat-models",
      models=(
        M("databricks-claude-sonnet-4-5", "Claude Sonnet 4.5"),
        M("databricks-meta-llama-3-3-70b-instruct", "Llama 3.3 70B"),
        M("databricks-gte-large-en", "GTE Large EN", kind=EMB),
    )),
)
# fmt: on
