"""Wire formats: each module converts one client/provider API format (requests, responses,
stream events and errors)."""
