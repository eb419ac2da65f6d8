"""Electronic evidence: streaming ingest, encrypted content-addressed store, sealed packages."""
