"""CASE/UCO 1.x JSON-LD provenance for a sealed package, and the reading of it back.

The graph holds one uco-observable:File per payload file (with its SHA-256, and SHA-512 when the
bag carries one), one case-investigation:InvestigativeAction per custody event plus the "sealed"
action, the identities that acted, and a case-investigation:ProvenanceRecord grouping the files
under the request reference. Identifiers are UUIDv5 of the request and role, so sealing the
same content twice yields the same graph.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from liaison.crypto.hashing import sha256_hex

CONTEXT: dict[str, str] = {
    "kb": "urn:liaison:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NS = uuid.UUID("6f1d3c1e-8a52-4c1c-9a55-4c1a3e0b7d21")
_HASH_NAMES = {"sha256": "SHA256", "sha512": "SHA512"}


@dataclass(frozen=True)
class CustodyEvent:
    """One step in the chain of custody, as the caller recorded it."""

    action: str
    actor: str
    time: str  # ISO 8601 with offset
    digest: str | None = None  # "sha256:<hex>" of the item acted on, if one


@dataclass(frozen=True)
class FileRecord:
    path: str  # "data/..." inside the bag
    size: int
    digests: Mapping[str, str]  # algorithm -> hex


class _Ids:
    """``kb:<kind>-<key>-<uuid>`` with one UUIDv5 per request: unique, stable, and cheap for
    10,000 files (a UUID per node made the graph the slowest part of sealing small files)."""

    def __init__(self, request_ref: str) -> None:
        # UCO suggests IRIs end with a UUID (case_validate says so, as information).
        self.base = str(uuid.uuid5(_NS, request_ref))

    def __call__(self, kind: str, key: object = 0) -> str:
        return f"kb:{kind}-{key}-{self.base}"


def _typed(kind: str, value: str) -> dict[str, str]:
    return {"@type": kind, "@value": value}


def build_provenance(
    *,
    request_ref: str,
    sender: str,
    recipient: str,
    sealed_at: str,
    files: Sequence[FileRecord],
    custody: Sequence[CustodyEvent],
) -> bytes:
    ids = _Ids(request_ref)
    graph: list[dict[str, Any]] = []
    by_sha256: dict[str, str] = {}
    file_ids: list[dict[str, str]] = []
    for index, record in enumerate(files):
        file_id = ids("file", index)
        by_sha256[record.digests["sha256"]] = file_id
        file_ids.append({"@id": file_id})
        hashes = [
            {
                "@id": ids("hash", f"{index}-{algorithm}"),
                "@type": "uco-types:Hash",
                "uco-types:hashMethod": _typed("xsd:string", _HASH_NAMES[algorithm]),
                "uco-types:hashValue": _typed("xsd:hexBinary", digest),
            }
            for algorithm, digest in sorted(record.digests.items())
        ]
        graph.append(
            {
                "@id": file_id,
                "@type": "uco-observable:File",
                "uco-core:hasFacet": [
                    {
                        "@id": ids("filefacet", index),
                        "@type": "uco-observable:FileFacet",
                        "uco-observable:fileName": record.path.rsplit("/", 1)[-1],
                        "uco-observable:filePath": record.path,
                        "uco-observable:sizeInBytes": _typed("xsd:integer", str(record.size)),
                    },
                    {
                        "@id": ids("contentfacet", index),
                        "@type": "uco-observable:ContentDataFacet",
                        "uco-observable:hash": hashes,
                    },
                ],
            }
        )
    actors = {
        actor: ids("identity", n)
        for n, actor in enumerate(sorted({e.actor for e in custody} | {sender}))
    }
    for actor, actor_id in actors.items():
        graph.append(
            {
                "@id": actor_id,
                "@type": "uco-identity:Identity",
                "uco-core:name": actor,
            }
        )
    record_id = ids("provenancerecord")
    graph.append(
        {
            "@id": record_id,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": request_ref,
            "uco-core:description": f"Evidence sealed by {sender} for {recipient}",
            "uco-core:object": file_ids,
        }
    )
    for index, event in enumerate(custody):
        target = by_sha256.get(sha256_hex(event.digest)) if event.digest else None
        action: dict[str, Any] = {
            "@id": ids("action", index),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": event.action,
            "uco-action:performer": {"@id": actors[event.actor]},
            "uco-action:startTime": _typed("xsd:dateTime", event.time),
        }
        if event.digest:
            action["uco-core:description"] = f"digest {event.digest}"
        if target:
            action["uco-action:object"] = [{"@id": target}]
        graph.append(action)
    graph.append(
        {
            "@id": ids("action", "sealed"),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": "sealed",
            "uco-core:description": f"Sealed for {recipient}",
            "uco-action:performer": {"@id": actors[sender]},
            "uco-action:startTime": _typed("xsd:dateTime", sealed_at),
            "uco-action:endTime": _typed("xsd:dateTime", sealed_at),
            "uco-action:object": file_ids,
            "uco-action:result": [{"@id": record_id}],
        }
    )
    document = {"@context": CONTEXT, "@graph": graph}
    # No indent: json only uses its C encoder without one, several times faster on big graphs.
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode() + b"\n"


class ProvenanceError(ValueError):
    """The CASE/UCO provenance cannot be built from what was given."""


def file_hashes(raw: bytes) -> dict[str, dict[str, str]]:
    """path -> {algorithm: hex} for every uco-observable:File in the graph we wrote."""
    try:
        document = json.loads(raw)
        nodes = document["@graph"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProvenanceError("provenance.jsonld: not a JSON-LD document with an @graph") from exc
    names = {value: key for key, value in _HASH_NAMES.items()}
    found: dict[str, dict[str, str]] = {}
    try:
        for node in nodes:
            if node.get("@type") != "uco-observable:File":
                continue
            path, digests = None, {}
            for facet in node["uco-core:hasFacet"]:
                if facet["@type"] == "uco-observable:FileFacet":
                    path = facet["uco-observable:filePath"]
                for item in facet.get("uco-observable:hash", []):
                    method = names.get(item["uco-types:hashMethod"]["@value"])
                    if method:
                        digests[method] = str(item["uco-types:hashValue"]["@value"]).lower()
            if not isinstance(path, str) or path in found:
                raise ProvenanceError("provenance.jsonld: a File without a unique filePath")
            found[path] = digests
    except (KeyError, TypeError, AttributeError) as exc:
        raise ProvenanceError(f"provenance.jsonld: unexpected File structure ({exc})") from exc
    return found
