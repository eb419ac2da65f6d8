"""The Merkle tree against the test vectors of Certificate Transparency, and every proof of
small trees against the verifiers (which follow RFC 9162 step by step)."""

from __future__ import annotations

import hashlib
import random

import pytest

from liaison.crypto import merkle

# The eight leaves and the root of each prefix, from the RFC 6962 reference implementations'
# tests (the hashing is the same in RFC 9162).
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
HASHED = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_roots_match_the_reference_vectors() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    for size in range(1, 9):
        assert merkle.root(HASHED[:size]).hex() == ROOTS[size - 1]


def test_known_inclusion_and_consistency_proofs() -> None:
    # RFC 9162's example tree of seven leaves: the path of leaf 0 is [b, h, i].
    b, h = HASHED[1], merkle.node_hash(HASHED[2], HASHED[3])
    i = merkle.node_hash(merkle.node_hash(HASHED[4], HASHED[5]), HASHED[6])
    assert merkle.inclusion_proof(0, HASHED[:7]) == [b, h, i]
    # ... and the proof that the tree of 3 is a prefix of the tree of 7 is [c, d, g, l].
    c, d = HASHED[2], HASHED[3]
    g = merkle.node_hash(HASHED[0], HASHED[1])
    assert merkle.consistency_proof_of(3, HASHED[:7]) == [c, d, g, i]


def leaves(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [merkle.leaf_hash(rng.randbytes(8)) for _ in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 64, 100])
def test_every_inclusion_proof_verifies_and_no_other(n: int) -> None:
    tree = leaves(n, n)
    root = merkle.root(tree)
    for index in range(n):
        proof = merkle.inclusion_proof(index, tree)
        merkle.verify_inclusion(index=index, size=n, leaf=tree[index], proof=proof, root_hash=root)
        other = (index + 1) % n
        if n > 1 and tree[other] != tree[index]:
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(
                    index=index, size=n, leaf=tree[other], proof=proof, root_hash=root
                )
        if proof:
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(
                    index=index, size=n, leaf=tree[index], proof=proof[:-1], root_hash=root
                )
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(
                    index=index, size=n, leaf=tree[index], proof=[*proof, root], root_hash=root
                )


def test_compact_range_builds_the_same_consistency_proofs_as_the_leaves() -> None:
    for n in range(1, 40):
        tree = leaves(n, 1000 + n)
        for m in range(n + 1):
            old = merkle.CompactRange()
            for leaf in tree[:m]:
                old.append(leaf)
            assert old.root() == merkle.root(tree[:m])
            proof = merkle.consistency_proof(old, tree[m:])
            assert proof == merkle.consistency_proof_of(m, tree)
            merkle.verify_consistency(
                old_size=m,
                new_size=n,
                old_root=merkle.root(tree[:m]),
                new_root=merkle.root(tree),
                proof=proof,
            )


def test_a_rewritten_history_has_no_consistency_proof() -> None:
    tree = leaves(20, 7)
    forked = list(tree)
    forked[4] = merkle.leaf_hash(b"rewritten")
    old_root = merkle.root(tree[:10])
    for proof in (merkle.consistency_proof_of(10, forked), merkle.consistency_proof_of(10, tree)):
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(
                old_size=10,
                new_size=20,
                old_root=old_root,
                new_root=merkle.root(forked),
                proof=proof,
            )
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(
            old_size=10, new_size=10, old_root=old_root, new_root=merkle.root(forked[:10]), proof=[]
        )
    with pytest.raises(merkle.ProofError, match="empty"):
        merkle.verify_consistency(
            old_size=8,
            new_size=20,
            old_root=merkle.root(tree[:8]),
            new_root=merkle.root(tree),
            proof=[],
        )
