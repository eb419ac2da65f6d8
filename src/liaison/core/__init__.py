"""Cross-cutting pieces: identifiers, the clock, errors, permissions."""
