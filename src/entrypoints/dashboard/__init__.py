"""The read-only operations dashboard: server-side HTML per role, behind o2c's bearer tokens."""
