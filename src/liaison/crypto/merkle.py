"""Merkle trees as Certificate Transparency defines them (RFC 9162, section 2.1): the tree hash,
inclusion proofs and consistency proofs, and their verification.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left ||
right), so a leaf can never pass for a node. The verification functions follow the RFC's
algorithms step by step (2.1.3.2 and 2.1.4.2) and are what a counterpart runs offline; the
proof builders follow the definitions of PATH and SUBPROOF (2.1.3.1 and 2.1.4.1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HASH_BYTES = 32


class ProofError(ValueError):
    """A proof that does not prove what it claims (or cannot be built from what is given)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (already leaf_hash()ed), iteratively through a compact range."""
    compact = CompactRange()
    for leaf in leaves:
        compact.append(leaf)
    return compact.root()


@dataclass
class CompactRange:
    """The roots of the perfect subtrees that make up a tree of `size` leaves, left to right
    (one per set bit of size): enough to append leaves and compute the root in O(log n), and to
    build consistency proofs from this size to any later one without the earlier leaves."""

    size: int = 0
    nodes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        self.nodes.append(leaf)
        self.size += 1
        # Each trailing zero bit of the new size merges two equal subtrees into one.
        merges = (self.size & -self.size).bit_length() - 1
        for _ in range(merges):
            right = self.nodes.pop()
            left = self.nodes.pop()
            self.nodes.append(node_hash(left, right))

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        digest = self.nodes[-1]
        for node in reversed(self.nodes[:-1]):
            digest = node_hash(node, digest)
        return digest

    def spans(self) -> list[tuple[int, int]]:
        """The leaf range [lo, hi) of each node, left to right."""
        out, lo = [], 0
        for bit in reversed(range(self.size.bit_length())):
            width = 1 << bit
            if self.size & width:
                out.append((lo, lo + width))
                lo += width
        return out

    def copy(self) -> CompactRange:
        return CompactRange(self.size, list(self.nodes))


SubtreeHash = Callable[[int, int], bytes]


def _list_oracle(leaves: Sequence[bytes]) -> SubtreeHash:
    def mth(lo: int, hi: int) -> bytes:
        return root(leaves[lo:hi])

    return mth


def _path(m: int, lo: int, hi: int, mth: SubtreeHash) -> list[bytes]:
    # PATH(m, D[lo:hi]) with m relative to lo.
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, lo, lo + k, mth), mth(lo + k, hi)]
    return [*_path(m - k, lo + k, hi, mth), mth(lo, lo + k)]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf `index` in the tree of all `leaves` (leaf hashes)."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf {index} is not in a tree of {len(leaves)} leaves")
    return _path(index, 0, len(leaves), _list_oracle(leaves))


def _subproof(m: int, lo: int, hi: int, complete: bool, mth: SubtreeHash) -> list[bytes]:
    # SUBPROOF(m, D[lo:hi], b) with m relative to lo.
    n = hi - lo
    if m == n:
        return [] if complete else [mth(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, lo, lo + k, complete, mth), mth(lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, False, mth), mth(lo, lo + k)]


def consistency_proof(old: CompactRange, later: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree of `old.size` leaves is a prefix of the tree with the `later`
    leaves appended, built from the old tree's compact range alone: every node SUBPROOF needs
    left of the old size is one of the compact range's nodes (they are the left siblings on the
    path to the old tree's last leaf)."""
    m, n = old.size, old.size + len(later)
    if m in {0, n}:
        return []
    known = dict(zip(old.spans(), old.nodes, strict=True))

    def mth(lo: int, hi: int) -> bytes:
        if (lo, hi) in known:
            return known[(lo, hi)]
        if lo >= m:
            return root(later[lo - m : hi - m])
        if hi - lo == 1:
            raise ProofError(f"leaf {lo} before the old size is not in its compact range")
        k = _split(hi - lo)
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    return _subproof(m, 0, n, True, mth)


def consistency_proof_of(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The same proof built from every leaf (a reference for tests and small trees)."""
    n = len(leaves)
    if not 0 <= m <= n:
        raise ProofError(f"size {m} is not within a tree of {n} leaves")
    if m in {0, n}:
        return []
    return _subproof(m, 0, n, True, _list_oracle(leaves))


def verify_inclusion(
    *, index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """RFC 9162, 2.1.3.2. Raises ProofError unless `leaf` is at `index` of the tree `root_hash`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if r != root_hash:
        raise ProofError("the inclusion proof does not lead to the tree's root hash")


def _trivially_consistent(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """The cases the RFC's loop does not cover (equal sizes, the empty tree), checked; False
    when the loop must run."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"size {old_size} cannot grow into size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("two different root hashes for the same size")
        return True
    if old_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return True
    if not proof:
        raise ProofError("the consistency proof is empty")
    return False


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162, 2.1.4.2. Raises ProofError unless the tree (old_size, old_root) is a prefix of
    the tree (new_size, new_root)."""
    if _trivially_consistent(old_size, new_size, old_root, new_root, proof):
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError("the consistency proof does not lead to the old root hash")
    if sr != new_root:
        raise ProofError("the consistency proof does not lead to the new root hash")
