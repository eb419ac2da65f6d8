"""Re-made packages: what someone holding a package (and maybe a key) can build from it.

``unpack`` gives the bag's files in tar order; ``remake`` recomputes what a forger would (the
payload manifest, Payload-Oxum, the CASE hashes, the tag manifest), then either keeps the old
signature (someone without the sender's key) or signs again (to test one rule at a time with
an otherwise authentic package), and encrypts the tar to the recipient again.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

from liaison.crypto import jose
from liaison.evidence.package.bag import format_manifest, manifest_kind
from tests.unit.evidence_package.factory import Parties, decrypt_to_tar, encrypt_tar

Files = dict[str, bytes]


def unpack(package: Path, parties: Parties) -> tuple[str, Files]:
    files: Files = {}
    root = ""
    with tarfile.open(fileobj=io.BytesIO(decrypt_to_tar(package, parties.identity))) as tar:
        for member in tar:
            root, _, inner = member.name.partition("/")
            extracted = tar.extractfile(member)
            assert extracted is not None
            files[inner] = extracted.read()
    return root, files


def _provenance_hashes(raw: bytes, files: Files) -> bytes:
    document = json.loads(raw)
    for node in document["@graph"]:
        if node.get("@type") != "uco-observable:File":
            continue
        facets = node["uco-core:hasFacet"]
        path = next(f["uco-observable:filePath"] for f in facets if "uco-observable:filePath" in f)
        for facet in facets:
            for item in facet.get("uco-observable:hash", []):
                algorithm = item["uco-types:hashMethod"]["@value"].lower()
                item["uco-types:hashValue"]["@value"] = hashlib.new(
                    algorithm, files[path]
                ).hexdigest()
            if "uco-observable:sizeInBytes" in facet:
                facet["uco-observable:sizeInBytes"]["@value"] = str(len(files[path]))
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def remake(
    files: Files,
    *,
    parties: Parties,
    resign: bool,
    listed: list[str] | None = None,
    keep_manifest: bool = False,
) -> Files:
    """Recompute the bag around ``files`` as changed by the caller. ``listed`` is what the tag
    manifest lists (every tag file but the signature and tag manifests by default);
    ``keep_manifest`` keeps the payload manifest as it is (e.g. naming a file now missing)."""
    files = dict(files)
    payload = {name: data for name, data in files.items() if name.startswith("data/")}
    if not keep_manifest:
        files["manifest-sha256.txt"] = format_manifest(
            (name, hashlib.sha256(data).hexdigest()) for name, data in payload.items()
        )
        files["provenance.jsonld"] = _provenance_hashes(files["provenance.jsonld"], files)
    oxum = f"{sum(len(d) for d in payload.values())}.{len(payload)}"
    files["bag-info.txt"] = re.sub(
        rb"Payload-Oxum: [0-9.]+", b"Payload-Oxum: " + oxum.encode(), files["bag-info.txt"]
    )
    if listed is None:
        listed = [
            name
            for name in files
            if not name.startswith("data/")
            and name != "signature.jws"
            and not (manifest_kind(name) or (False, ""))[0]
        ]
    files["tagmanifest-sha256.txt"] = format_manifest(
        (name, hashlib.sha256(files[name]).hexdigest()) for name in listed
    )
    if resign:
        header = jose.jws_header(files["signature.jws"].decode().strip())
        token = jose.sign(
            files["tagmanifest-sha256.txt"],
            private_raw=parties.signer.private_raw,
            key_id=header["kid"],
            typ=jose.Typ.bag_signature,
        )
        files["signature.jws"] = token.encode() + b"\n"
    return files


def pack(root: str, files: Files, path: Path, parties: Parties) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return encrypt_tar(buffer.getvalue(), path, parties)
