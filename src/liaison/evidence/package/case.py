"""CASE/UCO 1.x JSON-LD provenance for a sealed package: the graph and its vocabulary.

The graph holds one uco-observable:File per payload file (with its SHA-256, and SHA-512 when the
bag carries one, and its description), one case-investigation:InvestigativeAction per custody
event (the acquisition first, with its method, tool and source), the final "sealed" action, the
identities that acted or recorded, and a case-investigation:ProvenanceRecord grouping the files
under the request reference. Identifiers are ``kb:<kind>-<key>-<UUIDv5 of a base>``, so the same
content always yields the same graph. Reading it back is in caseread.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CONTEXT: dict[str, str] = {
    "kb": "urn:liaison:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NS = uuid.UUID("6f1d3c1e-8a52-4c1c-9a55-4c1a3e0b7d21")
HASH_NAMES = {"sha256": "SHA256", "sha512": "SHA512"}
ACQUIRED = "acquired"
SEALED = "sealed"


@dataclass(frozen=True)
class Acquired:
    """How a file was obtained, as the acquirer recorded it: the first link of its chain."""

    by: str  # who acquired it, by name
    at: str  # ISO 8601 with the acquirer's own UTC offset, kept as given
    method: str = ""
    tool: str = ""
    source: str = ""  # where the evidence came from (a provider, a seized device)
    recorded_by: str = ""  # the authority whose node recorded it, when not the sender


@dataclass(frozen=True)
class CustodyEvent:
    """One step in the chain of custody, as the caller recorded it.

    ``file`` names the payload file (its path under data/) the event is about; without it the
    event is matched by ``digest``. ``recorded_by`` is the authority whose node recorded the
    event when it is not the sender (an item that came from elsewhere carries its chain along).
    """

    action: str
    actor: str  # who acted, by name
    time: str  # ISO 8601 with offset
    digest: str | None = None  # "sha256:<hex>" of the item acted on, if one
    description: str = ""
    file: str | None = None
    recorded_by: str = ""


@dataclass(frozen=True)
class FileRecord:
    path: str  # "data/..." inside the bag
    size: int
    digests: Mapping[str, str]  # algorithm -> hex
    description: str = ""
    acquired: Acquired | None = None


class Ids:
    """``kb:<kind>-<key>-<uuid>`` with one UUIDv5 per base (the request reference, or the item):
    unique, stable, and cheap for 10,000 files (a UUID per node made the graph the slowest part
    of sealing small files). UCO suggests IRIs end with a UUID (case_validate says so)."""

    def __init__(self, base: str) -> None:
        self.base = str(uuid.uuid5(_NS, base))

    def __call__(self, kind: str, key: object = 0) -> str:
        return f"kb:{kind}-{key}-{self.base}"


def typed(kind: str, value: str) -> dict[str, str]:
    return {"@type": kind, "@value": value}


def ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def file_node(ids: Ids, index: int, record: FileRecord) -> dict[str, Any]:
    hashes = [
        {
            "@id": ids("hash", f"{index}-{algorithm}"),
            "@type": "uco-types:Hash",
            "uco-types:hashMethod": typed("xsd:string", HASH_NAMES[algorithm]),
            "uco-types:hashValue": typed("xsd:hexBinary", digest),
        }
        for algorithm, digest in sorted(record.digests.items())
    ]
    node: dict[str, Any] = {
        "@id": ids("file", index),
        "@type": "uco-observable:File",
        "uco-core:hasFacet": [
            {
                "@id": ids("filefacet", index),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": record.path.rsplit("/", 1)[-1],
                "uco-observable:filePath": record.path,
                "uco-observable:sizeInBytes": typed("xsd:integer", str(record.size)),
            },
            {
                "@id": ids("contentfacet", index),
                "@type": "uco-observable:ContentDataFacet",
                "uco-observable:hash": hashes,
            },
        ],
    }
    if record.description:
        node["uco-core:description"] = record.description
    return node


class Graph:
    """Nodes in the order they are added; identities and tools made once per name."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.nodes: list[dict[str, Any]] = []
        self._named: dict[tuple[str, str], str] = {}
        self._actions = 0

    def named(self, kind: str, name: str) -> str:
        """The id of the one node of ``kind`` called ``name`` (made on first use)."""
        key = (kind, name)
        if key not in self._named:
            short = kind.rsplit(":", 1)[-1].lower()
            node_id = self.ids(short, len(self._named))
            self._named[key] = node_id
            self.nodes.append({"@id": node_id, "@type": kind, "uco-core:name": name})
        return self._named[key]

    def action(
        self,
        *,
        name: str,
        performer: str,
        recorder: str,
        time: str,
        description: str,
        objects: Sequence[str],
        results: Sequence[str] = (),
        tool: str = "",
        end: bool = False,
    ) -> dict[str, Any]:
        node: dict[str, Any] = {
            "@id": self.ids("action", self._actions),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": name,
            "uco-core:createdBy": ref(self.named("uco-identity:Organization", recorder)),
            "uco-action:performer": ref(self.named("uco-identity:Identity", performer)),
            "uco-action:startTime": typed("xsd:dateTime", time),
        }
        self._actions += 1
        if end:
            node["uco-action:endTime"] = typed("xsd:dateTime", time)
        if description:
            node["uco-core:description"] = description
        if tool:
            node["uco-action:instrument"] = ref(self.named("uco-tool:Tool", tool))
        if objects:
            node["uco-action:object"] = [ref(i) for i in objects]
        if results:
            node["uco-action:result"] = [ref(i) for i in results]
        self.nodes.append(node)
        return node

    def acquisition(self, *, acquired: Acquired, file_id: str, recorder: str) -> None:
        """The acquisition takes the source (when named) and yields the file."""
        source = [self.named("uco-observable:ObservableObject", acquired.source)]
        self.action(
            name=ACQUIRED,
            performer=acquired.by,
            recorder=acquired.recorded_by or recorder,
            time=acquired.at,
            description=acquired.method,
            tool=acquired.tool,
            objects=source if acquired.source else [],
            results=[file_id],
        )

    def document(self) -> bytes:
        document = {"@context": CONTEXT, "@graph": self.nodes}
        # No indent: json only uses its C encoder without one, several times faster on big graphs.
        return json.dumps(document, ensure_ascii=False, sort_keys=True).encode() + b"\n"


def build_provenance(
    *,
    request_ref: str,
    sender: str,
    recipient: str,
    sealed_at: str,
    sealed_by: str,
    files: Sequence[FileRecord],
    custody: Sequence[CustodyEvent],
) -> bytes:
    """The provenance of a package: per file its acquisition then its custody events in the
    caller's order, then the seal (performed by ``sealed_by``, recorded by the sender)."""
    graph = Graph(Ids(request_ref))
    file_ids = [graph.ids("file", index) for index in range(len(files))]
    by_path = {record.path: file_ids[n] for n, record in enumerate(files)}
    by_sha256 = {record.digests["sha256"]: file_ids[n] for n, record in enumerate(files)}
    graph.nodes.extend(file_node(graph.ids, n, record) for n, record in enumerate(files))
    record_id = graph.ids("provenancerecord")
    graph.nodes.append(
        {
            "@id": record_id,
            "@type": "case-investigation:ProvenanceRecord",
            "case-investigation:exhibitNumber": request_ref,
            "uco-core:description": f"Evidence sealed by {sender} for {recipient}",
            "uco-core:object": [ref(i) for i in file_ids],
        }
    )
    for record, file_id in zip(files, file_ids, strict=True):
        if record.acquired is not None:
            graph.acquisition(acquired=record.acquired, file_id=file_id, recorder=sender)
    for event in custody:
        target = _target(event, by_path, by_sha256)
        described = event.description
        if event.digest:
            described = f"{described}; digest {event.digest}" if described else event.digest
        graph.action(
            name=event.action,
            performer=event.actor,
            recorder=event.recorded_by or sender,
            time=event.time,
            description=described,
            objects=[target] if target else [],
        )
    graph.action(
        name=SEALED,
        performer=sealed_by,
        recorder=sender,
        time=sealed_at,
        description=f"Sealed by {sender} for {recipient}",
        objects=file_ids,
        results=[record_id],
        end=True,
    )
    return graph.document()


def _target(
    event: CustodyEvent, by_path: Mapping[str, str], by_sha256: Mapping[str, str]
) -> str | None:
    if event.file is not None:
        return by_path.get(f"data/{event.file}")
    if event.digest:
        return by_sha256.get(event.digest.removeprefix("sha256:"))
    return None
