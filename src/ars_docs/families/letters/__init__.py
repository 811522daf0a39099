"""Invitation letters: one personalised letter per recipient, in Word and PDF."""
