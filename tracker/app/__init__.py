"""The use cases and their transactions: the one write pipeline every door (form, command
line, import, restore) goes through, and the reads that hand screens plain views.

Layers (checked by import-linter in the test command): ui and cli call this package only;
it calls sheets, reports, checks and reminders, which call store, which calls domain.
"""
