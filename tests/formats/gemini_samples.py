"""Golden Gemini wire data for tests/unit/formats/test_gemini.py (hand-written from the REST shape).

Every request here is in the canonical form build_request emits (camelCase, lower-case schema
types, no empty parameters), so parse → build must give it back unchanged.
"""

from __future__ import annotations

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["C", "F"], "nullable": True},
        },
        "required": ["city"],
    },
}

MULTI_TURN = {
    "contents": [
        {"role": "user", "parts": [{"text": "Hi, who are you?"}]},
        {"role": "model", "parts": [{"text": "A helpful assistant."}]},
        {"role": "user", "parts": [{"text": "Tell me a joke."}, {"text": "Short please."}]},
    ],
    "systemInstruction": {"parts": [{"text": "You are terse."}, {"text": "No emojis."}]},
    "generationConfig": {
        "maxOutputTokens": 256,
        "temperature": 0.2,
        "topP": 0.9,
        "topK": 40,
        "stopSequences": ["END"],
        "candidateCount": 1,
        "seed": 7,
    },
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "cachedContent": "cachedContents/abc123",
}

TOOLS_NO_IDS = {
    "contents": [
        {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                {"functionCall": {"name": "get_weather", "args": {"city": "Rome", "unit": "C"}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"temp": 21}}},
                {"functionResponse": {"name": "get_weather", "response": {"output": "rainy"}}},
            ],
        },
    ],
    "tools": [{"functionDeclarations": [WEATHER_TOOL]}, {"googleSearch": {}}],
    "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}},
}

TOOLS_WITH_IDS = {
    "contents": [
        {"role": "user", "parts": [{"text": "Weather in Oslo?"}]},
        {
            "role": "model",
            "parts": [
                {"functionCall": {"id": "fc-1", "name": "get_weather", "args": {"city": "Oslo"}}}
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "fc-1",
                        "name": "get_weather",
                        "response": {"error": "service down"},
                    }
                }
            ],
        },
    ],
    "tools": [{"functionDeclarations": [WEATHER_TOOL]}],
    "toolConfig": {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}
    },
}

TOOLS_WITH_IDS_SNAKE = {
    "contents": [
        {"role": "user", "parts": [{"text": "Weather in Oslo?"}]},
        {
            "role": "model",
            "parts": [
                {"function_call": {"id": "fc-1", "name": "get_weather", "args": {"city": "Oslo"}}}
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "function_response": {
                        "id": "fc-1",
                        "name": "get_weather",
                        "response": {"error": "service down"},
                    }
                }
            ],
        },
    ],
    "tools": [{"function_declarations": [WEATHER_TOOL]}],
    "tool_config": {
        "function_calling_config": {"mode": "ANY", "allowed_function_names": ["get_weather"]}
    },
}

MEDIA = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "Compare these."},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                {"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://bucket/cat.jpg"}},
                {"fileData": {"mimeType": "application/pdf", "fileUri": "https://x.test/a.pdf"}},
                {"inlineData": {"mimeType": "audio/mp3", "data": "SUQz"}},
            ],
        }
    ]
}

THINKING = {
    "contents": [
        {"role": "user", "parts": [{"text": "Plan a trip."}]},
        {
            "role": "model",
            "parts": [
                {"thought": True, "text": "The user wants a plan.", "thoughtSignature": "sigA"},
                {"thought": True, "text": "Check the weather first."},
                {"text": "Let me check.", "thoughtSignature": "sigT"},
                {
                    "functionCall": {"name": "get_weather", "args": {"city": "Lima"}},
                    "thoughtSignature": "sigF",
                },
                {"text": "", "thoughtSignature": "sigEnd"},
            ],
        },
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 18}}}],
        },
    ],
    "tools": [{"functionDeclarations": [WEATHER_TOOL]}],
    "generationConfig": {"thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}},
}

JSON_SCHEMA = {
    "contents": [{"role": "user", "parts": [{"text": "List two cities."}]}],
    "generationConfig": {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "object",
            "properties": {
                "cities": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                "note": {"type": "string", "nullable": True},
            },
            "required": ["cities"],
            "propertyOrdering": ["cities", "note"],
        },
        "thinkingConfig": {"thinkingLevel": "low"},
    },
}

JSON_SCHEMA_RAW = {
    "contents": [{"role": "user", "parts": [{"text": "A point."}]}],
    "tools": [
        {
            "functionDeclarations": [
                {
                    "name": "plot",
                    "parametersJsonSchema": {
                        "type": "object",
                        "$defs": {"P": {"type": "number", "exclusiveMinimum": 0}},
                        "properties": {"x": {"$ref": "#/$defs/P"}},
                        "additionalProperties": False,
                    },
                }
            ]
        }
    ],
    "generationConfig": {
        "responseMimeType": "application/json",
        "responseJsonSchema": {
            "type": "object",
            "properties": {"ok": {"type": "boolean"}},
            "additionalProperties": False,
        },
    },
}

GOLDEN_REQUESTS = {
    "multi_turn": MULTI_TURN,
    "tools_no_ids": TOOLS_NO_IDS,
    "tools_with_ids": TOOLS_WITH_IDS,
    "media": MEDIA,
    "thinking": THINKING,
    "json_schema": JSON_SCHEMA,
    "json_schema_raw": JSON_SCHEMA_RAW,
}

RESPONSE = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"thought": True, "text": "Thinking about Paris."},
                    {"text": "Let me look that up.", "thoughtSignature": "sigT"},
                    {
                        "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                        "thoughtSignature": "sigF",
                    },
                ],
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 120,
        "candidatesTokenCount": 30,
        "totalTokenCount": 175,
        "cachedContentTokenCount": 100,
        "thoughtsTokenCount": 25,
    },
    "modelVersion": "gemini-2.5-pro",
    "responseId": "resp-1",
}

PLAIN_RESPONSE = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "Hello there."}]},
            "finishReason": "MAX_TOKENS",
            "index": 0,
        }
    ],
    "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 3, "totalTokenCount": 8},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "resp-2",
}

# A hand-written streamGenerateContent?alt=sse transcript (Gemini ends events with CRLF CRLF).
STREAM_CHUNKS = [
    {
        "candidates": [
            {"content": {"role": "model", "parts": [{"thought": True, "text": "Thinking"}]}}
        ],
        "usageMetadata": {"promptTokenCount": 10, "totalTokenCount": 10},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "r1",
    },
    {
        "candidates": [
            {"content": {"role": "model", "parts": [{"thought": True, "text": " more"}]}}
        ],
        "modelVersion": "gemini-2.5-flash",
        "responseId": "r1",
    },
    {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": "Héllo", "thoughtSignature": "sigT"}],
                }
            }
        ],
        "responseId": "r1",
    },
    {
        "candidates": [{"content": {"role": "model", "parts": [{"text": " wörld ✓"}]}}],
        "responseId": "r1",
    },
    {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {
                            "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                            "thoughtSignature": "sigF",
                        }
                    ],
                }
            }
        ],
        "responseId": "r1",
    },
    {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": ""}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 10,
            "candidatesTokenCount": 20,
            "cachedContentTokenCount": 4,
            "thoughtsTokenCount": 5,
            "totalTokenCount": 35,
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "r1",
    },
]

ERROR_BODY = {
    "error": {
        "code": 429,
        "message": "Resource has been exhausted (e.g. check quota).",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
            }
        ],
    }
}
