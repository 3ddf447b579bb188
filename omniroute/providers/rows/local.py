"""Model servers on this machine's loopback, like the core table's Ollama, vLLM, LM Studio and
llama.cpp rows: `-local` ids (the plain names stay free for the user's own provider nodes),
plain http on 127.0.0.1 at each server's default port, optional keys, no cost. A server that
answers for whichever model it loaded lists that as "default"; the others list the example
model their documentation starts with."""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

EMB = "embedding"


def loaded(name: str = "Loaded model") -> M:
    """The model a single-model server is serving, whatever its name."""
    return M("default", name, None, 0.0, 0.0)


def free(model_id: str, name: str, kind: str = "chat") -> M:
    return M(model_id, name, None, 0.0, 0.0 if kind == "chat" else None, kind=kind)


# fmt: off
LOCAL_SERVER_ROWS: tuple[P, ...] = (
    P("lemonade-local", "Lemonade Server", "lemonade-local", "http://127.0.0.1:13305/v1",
      tier="local", docs_url="https://lemonade-server.ai/docs/", models=(loaded(),)),
    P("llamafile-local", "llamafile", "llamafile-local", "http://127.0.0.1:8080/v1",
      tier="local", docs_url="https://github.com/Mozilla-Ocho/llamafile", models=(loaded(),)),
    P("docker-model-runner-local", "Docker Model Runner", "dmr-local",
      "http://127.0.0.1:12434/engines/v1", tier="local", slash_ids=True,
      docs_url="https://docs.docker.com/ai/model-runner/api-reference/", models=(loaded(),)),
    P("xinference-local", "Xinference", "xinference-local", "http://127.0.0.1:9997/v1",
      tier="local",
      docs_url="https://inference.readthedocs.io/en/latest/getting_started/using_xinference.html",
      models=(loaded(),)),
    P("textgen-webui-local", "text-generation-webui", "textgen-local",
      "http://127.0.0.1:5000/v1", tier="local",
      docs_url="https://github.com/oobabooga/text-generation-webui/blob/main/docs/12%20-%20OpenAI%20API.md",
      models=(loaded(),)),
    P("localai-local", "LocalAI", "localai-local", "http://127.0.0.1:8080/v1", tier="local",
      docs_url="https://localai.io/", models=(loaded(),)),
    P("jan-local", "Jan", "jan-local", "http://127.0.0.1:1337/v1", tier="local",
      docs_url="https://jan.ai/docs/desktop/api-preference", models=(loaded(),)),
    P("sglang-local", "SGLang", "sglang-local", "http://127.0.0.1:30000/v1", tier="local",
      slash_ids=True, docs_url="https://docs.sglang.io/docs/basic_usage/send_request",
      models=(free("Qwen/Qwen3-8B", "Qwen3 8B"),)),
    P("litellm-local", "LiteLLM Proxy", "litellm-local", "http://127.0.0.1:4000/v1",
      tier="local", slash_ids=True, docs_url="https://docs.litellm.ai/docs/simple_proxy_old_doc",
      models=(free("gpt-4o", "GPT-4o (as the proxy maps it)"),)),
    P("lmdeploy-local", "LMDeploy", "lmdeploy-local", "http://127.0.0.1:23333/v1",
      tier="local", docs_url="https://lmdeploy.readthedocs.io/en/v0.4.0/serving/api_server.html",
      models=(free("internlm2_5-7b-chat", "InternLM2.5 7B Chat"),)),
    P("gpt4all-local", "GPT4All", "gpt4all-local", "http://127.0.0.1:4891/v1", tier="local",
      docs_url="https://raw.githubusercontent.com/nomic-ai/gpt4all/main/gpt4all-bindings/python/docs/gpt4all_api_server/home.md",
      models=(free("Phi-3 Mini Instruct", "Phi-3 Mini Instruct"),)),
    P("tgi-local", "Text Generation Inference", "tgi-local", "http://127.0.0.1:3000/v1",
      tier="local", docs_url="https://huggingface.co/docs/text-generation-inference/messages_api",
      models=(free("tgi", "Loaded model"),)),
    P("mlx-local", "MLX LM server", "mlx-local", "http://127.0.0.1:8080/v1", tier="local",
      slash_ids=True, docs_url="https://gist.github.com/awni/a4613c7b25ec0f7c2935d511cf579c07",
      models=(free("mlx-community/Meta-Llama-3-8B-Instruct-4bit", "Llama 3 8B (4-bit)"),)),
    P("tei-local", "Text Embeddings Inference", "tei-local", "http://127.0.0.1:8080/v1",
      tier="local", slash_ids=True, models_path=None,
      docs_url="https://huggingface.co/docs/text-embeddings-inference/quick_tour",
      models=(free("Qwen/Qwen3-Embedding-0.6B", "Qwen3 Embedding 0.6B", EMB),)),
    P("infinity-local", "Infinity", "infinity-local", "http://127.0.0.1:7997", tier="local",
      slash_ids=True, docs_url="https://reference.langchain.com/python/langchain-community/embeddings/infinity/InfinityEmbeddings",
      models=(free("BAAI/bge-small-en-v1.5", "BGE Small EN v1.5", EMB),)),
)
# fmt: on
