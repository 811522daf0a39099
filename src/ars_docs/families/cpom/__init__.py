"""Annexes of the CPOM 2027-2030: objectives, action sheets, indicators, financial annex."""
