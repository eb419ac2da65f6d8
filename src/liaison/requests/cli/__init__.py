"""`liaison request ...`: every step of a request from the node's command line, as a named user
of an authority hosted here. Importing this package registers every command on `app`."""

from liaison.requests.cli import drafting, execution, forms, preservation, prosecution, reading
from liaison.requests.cli.app import app

__all__ = ["app", "drafting", "execution", "forms", "preservation", "prosecution", "reading"]
