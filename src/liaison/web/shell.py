"""Mounting the web interface on the application: its templates, its error pages, the shell's
own pages (sign-in, account, settings) and every feature's section."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from liaison.web import account, errors
from liaison.web.pages import Section, Shell
from liaison.web.templating import environment


def install(app: FastAPI, sections: Sequence[Section]) -> None:
    """After the API's error handlers (the web's wrap them) and routers."""
    app.state.web = Shell(
        env=environment(s.templates for s in sections if s.templates is not None),
        badges=tuple(s.badge for s in sections if s.badge is not None),
        nav=tuple(item for s in sections for item in s.nav),
    )
    errors.install(app)
    app.include_router(account.router)
    for section in sections:
        app.include_router(section.router)
