"""Sandbox vendor systems: PSA and ERP that keep their state in o2c's own database, so the
embedded default completes every flow without a real vendor."""
