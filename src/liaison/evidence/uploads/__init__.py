"""Resumable evidence uploads over tus 1.0 (docs/evidence.md, "Resumable uploads")."""
