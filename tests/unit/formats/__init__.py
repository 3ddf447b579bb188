"""Unit tests of each wire format: parse and build, streams, and the captured client requests."""
