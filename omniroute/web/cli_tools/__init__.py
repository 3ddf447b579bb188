"""The CLI tools page: every coding tool's configuration for this gateway, Apply and Restore."""
