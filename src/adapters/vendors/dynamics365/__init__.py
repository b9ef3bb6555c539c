"""Microsoft Dynamics 365 Finance & Operations over OData: the ledger and its payments."""
