"""arsdocs: official documents of ARS Grand Est, in Word and PDF, from data."""

__version__ = "0.1.0"
