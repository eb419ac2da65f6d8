"""JSON API plumbing shared by every feature: node state, sessions, principals, errors."""
