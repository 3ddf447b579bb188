"""Golden wire samples of each format and the captured client requests, for the format tests
(tests/unit/formats)."""
