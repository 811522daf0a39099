"""arsdocs: the official documents of a French regional health agency (its letters, statutes and contract
annexes), in Word and PDF, from data. The agency is the project's (`agence:` in arsdocs.yaml)."""

__version__ = "0.1.0"
