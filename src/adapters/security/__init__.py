"""Proving callers: verifying signed bearer tokens, and the development keys of `make run`."""
