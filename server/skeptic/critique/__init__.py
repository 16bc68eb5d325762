"""Critique: the objection model, the prior-work catalog and the engines."""
