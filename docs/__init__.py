"""Documentation assets and the scripts that make them."""
