"""The release number, in one place every package may import without reaching the app factory."""

__version__ = "0.1.0"
