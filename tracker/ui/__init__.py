"""The Textual terminal UI. It holds no domain rules: it shows the plain views the
application layer (tracker.app) returns and sends what the user typed to its write
pipeline, which validates it. It imports neither tracker.store nor tracker.sheets."""
