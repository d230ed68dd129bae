"""Plain helpers shared by every layer: time in Berlin, German formatting, text
comparison, labelled enums. Nothing here imports Flask or the database."""
