"""Makes imports/ the package tracker.imports, so importlib.resources gives its real path."""
