"""The response cache: whole anonymous pages answered in ASGI middleware, before Django,
and dropped exactly when the content they were built from changes (docs/response-cache.md)."""
