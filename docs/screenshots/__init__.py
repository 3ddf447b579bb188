"""Dashboard screenshots (make.py writes them)."""
