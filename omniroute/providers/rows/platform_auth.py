"""Rows whose calls their cloud platform quirk reshapes (providers/platforms.py): the account,
tenant or deployment in the URL, or a token exchanged for the key. The row's base URL is the
public endpoint (with placeholders, ACCOUNT, TENANT, DEPLOYMENT, that the connection's options
fill in); prices are billed in the platform's own units (Snowflake credits, Predibase GPU
hours), so none per token."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

# fmt: off
PLATFORM_AUTH_ROWS: tuple[P, ...] = (
    P("snowflake-cortex", "Snowflake Cortex", "snowflake",
      "https://ACCOUNT.snowflakecomputing.com/api/v2/cortex/v1", group="enterprise-cloud",
      models_path=None,
      docs_url="https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-rest-api",
      models=(
        M("claude-sonnet-4-5", "Claude Sonnet 4.5", 200000),
        M("openai-gpt-4.1", "GPT-4.1", 1047576),
        M("llama3.3-70b", "Llama 3.3 70B", 128000),
        M("mistral-large2", "Mistral Large 2", 128000),
    )),
    P("predibase", "Predibase", "predibase",
      "https://serving.app.predibase.com/TENANT/deployments/v2/llms/DEPLOYMENT/v1",
      slash_ids=True, models_path=None,
      docs_url="https://docs.predibase.com/user-guide/inference/migrate-openai",
      models=(
        M("qwen3-8b", "Qwen3 8B", 32768),
    )),
    P("watsonx", "IBM watsonx.ai", "watsonx", "https://us-south.ml.cloud.ibm.com",
      slash_ids=True, stream_usage_option=False, group="enterprise-cloud", free_tier=True,
      docs_url="https://www.ibm.com/docs/en/watsonx/saas?topic=solutions-chat",
      models=(
        M("ibm/granite-3-3-8b-instruct", "Granite 3.3 8B Instruct", 131072),
        M("meta-llama/llama-3-3-70b-instruct", "Llama 3.3 70B Instruct", 131072),
    )),
    P("gigachat", "GigaChat (Sber)", "gigachat", "https://gigachat.devices.sberbank.ru/api/v1",
      stream_usage_option=False,
      docs_url="https://developers.sber.ru/docs/ru/gigachat/api/compatible-openai",
      models=(
        M("GigaChat-2", "GigaChat 2 Lite"),
        M("GigaChat-2-Pro", "GigaChat 2 Pro"),
        M("GigaChat-2-Max", "GigaChat 2 Max"),
    )),
)
# fmt: on
