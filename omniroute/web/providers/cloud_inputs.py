"""The shape of a cloud platform's fieldset on the dashboard's connection form: its inputs
(an option key, or a part of the secret) and what the connection's other fields mean there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CloudInput:
    """One input: `key` is the option key (or a credential part when `secret`)."""

    key: str
    label: Any
    help: Any
    kind: str = "text"  # text | select | textarea | password
    choices: tuple[str, ...] = ()
    placeholder: str = ""
    secret: bool = False  # part of the key: never shown back, empty keeps the stored one


@dataclass(frozen=True)
class CloudForm:
    provider: str
    legend: str  # the platform's product name
    note: Any  # what the connection's other fields (base URL, API key) mean here
    inputs: tuple[CloudInput, ...]
    key_input: bool = True  # the plain API key input applies (Vertex: the JSON textarea instead)
