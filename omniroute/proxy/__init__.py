"""The proxy: one request pipeline, the upstream HTTP client and the stream relay."""
