"""The language server: a thin LSP layer over the pure core (latex, personas, critique)."""
