"""Unit tests: pure functions, parsers, translators, routing plans and formats; no test here
starts a server or opens a socket."""
