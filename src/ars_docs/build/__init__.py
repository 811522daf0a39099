"""Building: the families' registry, the engine, fingerprints, build state, atomic output, lock, index page."""
