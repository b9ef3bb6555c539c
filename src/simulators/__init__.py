"""Vendors' sides of the wire, run on loopback for tests and the demo. Nothing here imports
o2c's own packages."""
