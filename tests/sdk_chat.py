"""The OpenAI SDK asking a gateway for a chat answer: the answer's text, streamed or not."""

from __future__ import annotations

import openai

HELLO = [{"role": "user", "content": "hello"}]


def openai_chat_text(gateway, model: str, stream: bool = False) -> str:
    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    if not stream:
        reply = client.chat.completions.create(model=model, messages=HELLO)
        return reply.choices[0].message.content or ""
    chunks = client.chat.completions.create(model=model, messages=HELLO, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
