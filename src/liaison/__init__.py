"""Liaison: cross-border cooperation against cybercrime under the UN Convention against Cybercrime."""

__version__ = "0.1.0"
