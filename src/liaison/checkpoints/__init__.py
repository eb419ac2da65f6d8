"""Signed checkpoints of the audit log (the node key over the chain head), and verification."""
