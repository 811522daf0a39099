"""The version of arsdocs (what the build records and fingerprints name)."""

__version__ = "0.1.0"
