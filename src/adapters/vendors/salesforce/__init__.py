"""Salesforce as o2c's CRM, over its REST API."""
