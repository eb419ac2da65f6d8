"""Federation protocol v1: envelopes, receipts, batches (see docs/protocol.md)."""
