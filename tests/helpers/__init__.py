"""Helpers of the tests, imported as `helpers.<module>` (tests/ is on the path through conftest)."""
