"""Certinia PSA as o2c's PSA: its pse__ objects on a Salesforce org, reached through the org's
REST API with the Salesforce adapter's sign-in, limits and composite requests."""
