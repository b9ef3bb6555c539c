"""The operational figures o2c is judged by, read from the database every replica shares."""
