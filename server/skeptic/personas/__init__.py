"""Reviewer personas: loading, validation and selection by relevance to a draft."""
