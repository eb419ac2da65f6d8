"""Sealed packages between nodes: sealed by the sender's worker, announced by an envelope that
names the package by digest, pushed in chunks each carrying its own digest, resumed from the
last stored chunk after a crash of either side, verified and ingested on arrival
(docs/evidence-transfer.md)."""
