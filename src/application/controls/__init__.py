"""Reconciliation controls: two systems compared by business key and amount, each variance
parked with its owner, each run kept for the dashboard."""
