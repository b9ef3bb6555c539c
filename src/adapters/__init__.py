"""Implementations of the application's ports: persistence, messaging, vendor systems."""
