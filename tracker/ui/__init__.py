"""The Textual terminal UI. It holds no domain rules: it shows what the store returns and
sends what the user typed to the service layer, which validates it."""
