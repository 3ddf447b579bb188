"""Coding tools pointed at this gateway: what each one reads (catalog), the exact configuration
for a base URL, key and model (snippets), whether it is installed and configured (detect), and
writing our keys into its files with a diff, a backup and a restore (apply). No Flask here:
the dashboard's /cli-tools page (web/cli_tools) calls these pure functions."""
