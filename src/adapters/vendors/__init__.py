"""Vendor adapters, one package per vendor system, each with its payload mapping."""
