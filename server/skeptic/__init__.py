"""Skeptic: a language server that critiques LaTeX research drafts like a skeptical reviewer."""

__version__ = "0.1.0"
