"""Costs: prices (/api/pricing) and budgets (/api/usage/budget), and the /costs pages."""
