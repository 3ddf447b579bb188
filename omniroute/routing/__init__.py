"""Routing: turn the model a client asked for into an ordered list of attempts. Pure, no I/O."""
