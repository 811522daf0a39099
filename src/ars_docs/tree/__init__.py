"""The document tree and what makes it: Markdown, templates, typography, redline, table widths."""
