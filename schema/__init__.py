"""Makes schema/ the package tracker.schema, so importlib.resources gives its real path."""
