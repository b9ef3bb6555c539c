"""Kantata (formerly Mavenlink) as o2c's PSA through its API v1: a workspace per work package,
change orders as stories, approved time entries and expenses read in pages, and the invoice
written back as an external reference."""
