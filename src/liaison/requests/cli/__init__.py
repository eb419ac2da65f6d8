"""`liaison request ...`: every step of a request from the node's command line, as a named user
of an authority hosted here. Each command's module is imported when the command is looked up
(see app.py)."""

from liaison.requests.cli.app import app

__all__ = ["app"]
