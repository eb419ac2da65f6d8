"""Web interface benchmark of issue 14: the lists and the search of requests with 100,000 on
the node, each against a baseline run by this script on the same database.

    python bench/web.py            # 100,000 requests, 100 timed calls per page
    python bench/web.py --quick    # 20,000 requests, 40 calls per page, well under a minute

SQLite, in a temporary folder. The requests are written straight into the tables (the same
rows the services write, their search words cut by the same function, requests.texts), half
incoming and half outgoing, with texts from a vocabulary of 5,000 words in Latin, Cyrillic,
Arabic and Chinese script. A supervisor asks (who sees everything: the widest scope).

Each page is fetched through the whole application (ASGI, session cookie, authorisation,
query, template) with Starlette's TestClient, in process; p50 and p95 are of wall time per
call, in milliseconds. Baselines in the same run:

- `list`: the same list (the same user, 25 newest) through the JSON API (GET /api/v1/requests);
- `search`: the bare SELECT of the 25 newest matching rows and their count, straight to the
  FTS5 index, without application, scope or template.

`ratio` is our p50 over the baseline's p50 (lower is better; 1.0 means as fast). Prints
readable lines, then one final JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from fastapi.testclient import TestClient  # noqa: E402 - needs the src path set just above
from sqlalchemy import insert, text  # noqa: E402 - idem

from liaison.accounts import service as accounts  # noqa: E402 - idem
from liaison.accounts import tokens  # noqa: E402 - idem
from liaison.accounts.schemas import UserCreate  # noqa: E402 - idem
from liaison.app import create_app  # noqa: E402 - idem
from liaison.audit.context import AuditContext, Channel  # noqa: E402 - idem
from liaison.authorities import service as authorities  # noqa: E402 - idem
from liaison.authorities.schemas import AuthorityCreate  # noqa: E402 - idem
from liaison.config import load_settings  # noqa: E402 - idem
from liaison.core.permissions import AuthorityRole, Role  # noqa: E402 - idem
from liaison.db import migrate  # noqa: E402 - idem
from liaison.node import Node  # noqa: E402 - idem
from liaison.requests.models import Request, RequestText  # noqa: E402 - idem
from liaison.requests.texts import index_text  # noqa: E402 - idem
from liaison.web import cookies  # noqa: E402 - idem

CTX = AuditContext(actor="bench", channel=Channel.system)
HOME = "vn-mps"
OTHERS = ("de-bfj", "ru-gpo", "fr-pnc", "th-dsi")
STATUSES = ("sent", "received", "acknowledged", "in_execution", "executed", "closed")
KINDS = ("mla", "preservation", "disclosure", "extradition")
SYLLABLES = {
    "latin": ["ka", "ro", "mi", "te", "lu", "sa", "ne", "vo", "di", "pa"],
    "cyrillic": ["ка", "ро", "ми", "те", "лу", "са", "не", "во", "ди", "па"],  # noqa: RUF001
    "arabic": ["كا", "رو", "مي", "تي", "لو", "سا", "ني", "فو", "دي", "با"],
}
HAN = "网络诈骗团伙通过社交媒体实施犯罪银行账户资金转移服务器数据保全调查"
RARE = "pamilute"  # in about 1 request of 500 (see _vocabulary)
# The search baseline: the FTS5 index straight, the 25 newest matches and their count.
BARE_SEARCH = text(
    "SELECT r.* FROM requests r JOIN request_texts t ON "
    "t.holder = r.holder AND t.request_id = r.id WHERE t.id IN "
    "(SELECT rowid FROM request_texts_fts WHERE request_texts_fts MATCH :q) "
    "ORDER BY r.id DESC LIMIT 25"
)
BARE_COUNT = text(
    "SELECT count(*) FROM request_texts WHERE id IN "
    "(SELECT rowid FROM request_texts_fts WHERE request_texts_fts MATCH :q)"
)


def _vocabulary(rng: random.Random) -> list[str]:
    """5,000 words: 1,666 of four syllables in each script, and the rare word left out."""
    words: set[str] = set()
    for script, syllables in enumerate(SYLLABLES.values(), start=1):
        while len(words) < 1666 * script:
            word = "".join(rng.choice(syllables) for _ in range(4))
            if word != RARE:
                words.add(word)
    return sorted(words)


def _text(rng: random.Random, vocabulary: list[str], index: int) -> str:
    chosen = rng.sample(vocabulary, 12)  # and 6 Chinese characters: 5,000 words in all
    if index % 500 == 0:
        chosen.append(RARE)
    han = "".join(rng.sample(HAN, 6))
    return " ".join(chosen) + " " + han


def seed(node: Node, count: int) -> None:
    rng = random.Random(14)
    vocabulary = _vocabulary(rng)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows, texts = [], []
    with node.db.session() as session:
        for n in range(count):
            # Drawn independently (a seeded generator): with counters, every incoming MLA
            # request in one state would come from the same State, which no node sees.
            other = rng.choice(OTHERS)
            incoming = rng.random() < 0.5
            created = start + timedelta(minutes=7 * n)
            has_due = rng.random() < 0.67
            facts = _text(rng, vocabulary, n)
            content = {"facts": {"original": facts, "original_language": "en", "translations": {}}}
            reference = f"REF-{n:06d}"
            request_id = str(uuid.UUID(int=(n + 1) << 64 | rng.getrandbits(64)))
            rows.append(
                {
                    "holder": HOME,
                    "id": request_id,
                    "kind": rng.choice(KINDS),
                    "requesting": other if incoming else HOME,
                    "requested": HOME if incoming else other,
                    "status": rng.choice(STATUSES),
                    "seq": 0,
                    "version": 1,
                    "reference": reference,
                    "language": "en",
                    "content": content,
                    "urgent": rng.random() < 0.08,
                    "conditions": {},
                    "created_at": created,
                    "updated_at": created,
                    "response": {},
                    "authorisations": [],
                    "due_at": created + timedelta(days=rng.randint(1, 60)) if has_due else None,
                    "due_what": "response" if has_due else None,
                    "received_at": created if incoming else None,
                }
            )
            texts.append(
                {
                    "holder": HOME,
                    "request_id": request_id,
                    "body": index_text(
                        reference=reference, content=content, response={}, status_reason=None
                    ),
                }
            )
            if len(rows) == 5000:
                session.execute(insert(Request), rows)
                session.execute(insert(RequestText), texts)
                rows, texts = [], []
        if rows:
            session.execute(insert(Request), rows)
            session.execute(insert(RequestText), texts)
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()


def setup(folder: Path) -> tuple[Node, str, str]:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.update(
        {
            "LIAISON_ENV": "dev",
            "LIAISON_DATA_DIR": str(folder),
            "LIAISON_DATABASE_URL": url,
            "LIAISON_KEK": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        }
    )
    migrate.upgrade(url)
    node = Node.from_settings(load_settings())
    with node.db.session() as session:
        for authority, state in ((HOME, "VN"), *((o, o[:2].upper()) for o in OTHERS)):
            authorities.create(
                session=session,
                kek=node.kek,
                data=AuthorityCreate(
                    id=authority,
                    state=state,
                    names={"en": authority},
                    roles=[AuthorityRole.central_authority],
                    accepted_languages=["en"],
                ),
                ctx=CTX,
            )
        user = accounts.create(
            session=session,
            authority_id=HOME,
            data=UserCreate(
                username="vn.supervisor",
                display_name="Supervisor",
                password="a-long-passphrase-1",  # noqa: S106 - a throwaway node's user
                roles=[Role.supervisor],
            ),
            ctx=CTX,
        )
        _r, web = tokens.issue(
            session=session,
            user=user,
            name="bench",
            kind=tokens.WEB,
            lifetime=timedelta(hours=2),
            ctx=CTX,
        )
        _r, api = tokens.issue(
            session=session,
            user=user,
            name="bench",
            kind=tokens.SESSION,
            lifetime=timedelta(hours=2),
            ctx=CTX,
        )
        session.commit()
    return node, web, api


def timed(call: Callable[[], Any], runs: int) -> dict[str, float]:
    call()  # warm: templates compiled, statements prepared, pages in the cache
    laps = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        laps.append((time.perf_counter() - started) * 1000)
    laps.sort()
    return {
        "p50_ms": round(statistics.median(laps), 2),
        "p95_ms": round(laps[max(0, int(len(laps) * 0.95) - 1)], 2),
    }


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"error: {response.request.url} answered {response.status_code}")
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 requests, 40 calls a page")
    args = parser.parse_args()
    count, runs = (20_000, 40) if args.quick else (100_000, 100)
    with tempfile.TemporaryDirectory(prefix="liaison-bench-web-") as folder:
        node, web, api = setup(Path(folder))
        began = time.perf_counter()
        seed(node, count)
        print(f"seeded {count:,} requests in {time.perf_counter() - began:.1f} s")
        with TestClient(create_app(node=node)) as client:
            client.cookies.set(cookies.session_name(node.settings), web)
            bearer = {"Authorization": f"Bearer {api}"}

            def page(path: str) -> Callable[[], Any]:
                return lambda: _ok(client.get(path))

            def bare_search() -> None:
                with node.db.session() as session:
                    match = {"q": f'"{RARE}"*'}
                    session.execute(BARE_SEARCH, match).all()
                    session.execute(BARE_COUNT, match).scalar()

            results = {
                "list": timed(page("/requests/incoming"), runs),
                "list_due": timed(page("/requests/outgoing?sort=due"), runs),
                "list_filtered": timed(
                    page("/requests/incoming?kind=mla&status=sent&state=DE&due=none"), runs
                ),
                "list_page_100": timed(page("/requests/incoming?page=100"), runs),
                "search": timed(page(f"/requests/incoming?q={RARE}"), runs),
                "search_chinese": timed(page("/requests/incoming?q=诈骗"), runs),
                "dashboard": timed(page("/"), runs),
            }
            baselines = {
                "list": timed(
                    lambda: _ok(client.get("/api/v1/requests?limit=25", headers=bearer)), runs
                ),
                "search": timed(bare_search, runs),
            }
    for name, figures in results.items():
        print(f"{name:>15}: p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms")
    for name, figures in baselines.items():
        print(
            f"{'baseline ' + name:>15}: p50 {figures['p50_ms']:7.2f} ms  "
            f"p95 {figures['p95_ms']:7.2f} ms"
        )
    ratios = {
        "list_vs_json_api": round(results["list"]["p50_ms"] / baselines["list"]["p50_ms"], 2),
        "search_vs_bare_select": round(
            results["search"]["p50_ms"] / baselines["search"]["p50_ms"], 2
        ),
    }
    print(f"ratios (ours p50 / baseline p50): {ratios}")
    worst = max(f["p95_ms"] for f in results.values())
    print(f"worst p95: {worst:.1f} ms (target < 150 ms)")
    print(
        json.dumps(
            {
                "bench": "web",
                "backend": "sqlite",
                "requests": count,
                "runs": runs,
                "pages": results,
                "baselines": baselines,
                "ratios": ratios,
                "worst_p95_ms": worst,
                "target_p95_ms": 150,
            }
        )
    )


if __name__ == "__main__":
    main()
