"""The domain's rules and vocabularies: pure data and functions, no I/O, no Textual."""
