"""Liaison: cross-border cooperation against cybercrime (UN Convention against Cybercrime)."""

__version__ = "0.1.0"
