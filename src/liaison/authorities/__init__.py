"""Authorities (tenants) hosted on this node."""
