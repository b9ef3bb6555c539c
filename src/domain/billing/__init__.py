"""Billing terms per work package and the rating of approved work under them."""
