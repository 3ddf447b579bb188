"""The OpenAPI description of the management API (/api/openapi.json)."""
