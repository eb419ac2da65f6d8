"""Directory of authorities: the signed document, its verification and key lookup."""
