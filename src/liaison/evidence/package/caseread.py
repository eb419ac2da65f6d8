"""Reading a package's CASE/UCO provenance back: each file's hashes, description, acquisition
and chain of custody, as the sender signed them.

Only the graph our sealer writes is understood (case.py); anything else is a ProvenanceError
naming what is wrong, so a verifier can fail the check rather than guess.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from liaison.evidence.package.case import ACQUIRED, HASH_NAMES, SEALED, Acquired, CustodyEvent


class ProvenanceError(ValueError):
    """The CASE/UCO provenance is not what a sealed package carries."""


@dataclass
class FileProvenance:
    path: str  # "data/..."
    hashes: dict[str, str]  # algorithm -> hex
    description: str = ""
    acquired: Acquired | None = None
    # Every action about the file in the order of the graph, the acquisition and seal included.
    events: list[CustodyEvent] = field(default_factory=list)


@dataclass
class Provenance:
    files: dict[str, FileProvenance]
    sealed_at: str | None = None


def _nodes(raw: bytes) -> list[dict[str, Any]]:
    try:
        document = json.loads(raw)
        nodes = document["@graph"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ProvenanceError("provenance.jsonld: not a JSON-LD document with an @graph") from exc
    if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
        raise ProvenanceError("provenance.jsonld: @graph is not a list of nodes")
    return nodes


def _file(node: dict[str, Any]) -> FileProvenance:
    names = {value: key for key, value in HASH_NAMES.items()}
    path, digests = None, {}
    for facet in node["uco-core:hasFacet"]:
        if facet["@type"] == "uco-observable:FileFacet":
            path = facet["uco-observable:filePath"]
        for item in facet.get("uco-observable:hash", []):
            method = names.get(item["uco-types:hashMethod"]["@value"])
            if method:
                digests[method] = str(item["uco-types:hashValue"]["@value"]).lower()
    if not isinstance(path, str):
        raise ProvenanceError("provenance.jsonld: a File without a filePath")
    return FileProvenance(
        path=path, hashes=digests, description=_text(node, "uco-core:description")
    )


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key, "")
    if not isinstance(value, str):
        raise ProvenanceError(f"provenance.jsonld: {key} of {node.get('@id')} is not a string")
    return value


def _refs(node: Mapping[str, Any], key: str) -> list[str]:
    value = node.get(key, [])
    value = [value] if isinstance(value, dict) else value
    return [str(v["@id"]) for v in value]


def _time(node: Mapping[str, Any]) -> str:
    value = node["uco-action:startTime"]["@value"]
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ProvenanceError(f"provenance.jsonld: {value!r} is not an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        raise ProvenanceError(f"provenance.jsonld: time {value!r} has no UTC offset")
    return str(value)


def read_provenance(raw: bytes) -> Provenance:
    """Every file of the graph with its chain; raises ProvenanceError when it cannot be read."""
    nodes = _nodes(raw)
    files: dict[str, FileProvenance] = {}
    by_id: dict[str, FileProvenance] = {}
    names: dict[str, str] = {}
    sealed_at = None
    try:
        for node in nodes:
            kind = node.get("@type")
            if kind == "uco-observable:File":
                found = _file(node)
                if found.path in files:
                    raise ProvenanceError(f"provenance.jsonld: {found.path} is listed twice")
                files[found.path] = by_id[str(node["@id"])] = found
            elif kind in (
                "uco-identity:Identity",
                "uco-identity:Organization",
                "uco-tool:Tool",
                "uco-observable:ObservableObject",
            ):
                names[str(node["@id"])] = _text(node, "uco-core:name")
        for node in nodes:
            if node.get("@type") != "case-investigation:InvestigativeAction":
                continue
            action = _text(node, "uco-core:name")
            time = _time(node)
            results = [by_id[i] for i in _refs(node, "uco-action:result") if i in by_id]
            objects = [by_id[i] for i in _refs(node, "uco-action:object") if i in by_id]
            performer = names[_refs(node, "uco-action:performer")[0]]
            recorder = names[_refs(node, "uco-core:createdBy")[0]]
            if action == SEALED:
                sealed_at = time
            for target in objects + results:
                event = CustodyEvent(
                    action=action,
                    actor=performer,
                    time=time,
                    description=_text(node, "uco-core:description"),
                    file=target.path.removeprefix("data/"),
                    recorded_by=recorder,
                )
                target.events.append(event)
                # The acquisition yields the file (case.Graph.acquisition); an "acquired" event
                # that merely acts on it is a custody event like any other.
                if action == ACQUIRED and target in results and target.acquired is None:
                    tools = _refs(node, "uco-action:instrument")
                    sources = [i for i in _refs(node, "uco-action:object") if i in names]
                    target.acquired = Acquired(
                        by=performer,
                        at=time,
                        method=event.description,
                        tool=names[tools[0]] if tools else "",
                        source=names[sources[0]] if sources else "",
                        recorded_by=recorder,
                    )
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ProvenanceError(f"provenance.jsonld: unexpected structure ({exc})") from exc
    return Provenance(files=files, sealed_at=sealed_at)


def file_hashes(raw: bytes) -> dict[str, dict[str, str]]:
    """path -> {algorithm: hex} for every uco-observable:File in the graph we wrote."""
    return {path: found.hashes for path, found in read_provenance(raw).files.items()}
