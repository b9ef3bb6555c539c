"""Zuora as o2c's external billing platform, over its v1 REST API: accounts and subscriptions
kept by o2c's keys, usage uploaded as CSV files, and the invoices Zuora makes read back."""
