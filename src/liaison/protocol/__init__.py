"""What nodes agree on, below both the directory and federation: the refusal reasons that go
into signed receipts, and the strict field types of envelopes, receipts and directory documents."""
