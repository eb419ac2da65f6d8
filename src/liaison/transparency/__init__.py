"""The audit log as a witnessed transparency log: checkpoints sent to peer nodes, cosigned by
them, checked against them; inclusion proofs a counterpart can verify offline."""
