"""Preservation (art. 42): extending a preservation in place, and the requested side's warning
that the data may not remain available; both as routes and commands, with rules both nodes
apply."""
