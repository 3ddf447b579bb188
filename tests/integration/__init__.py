"""Integration tests: a real gateway served by waitress on 127.0.0.1, with the fake upstreams
and raw sockets."""
