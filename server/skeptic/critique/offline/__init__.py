"""The offline critique engine: persona rules and the prior-work catalog, no network."""
