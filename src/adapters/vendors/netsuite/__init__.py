"""Oracle NetSuite through SuiteTalk REST: the record API, SuiteQL and OAuth 2.0 client
credentials with a signed JWT."""
