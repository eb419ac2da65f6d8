"""The web interface's shell: layout, sign-in and sign-out, the second factor, language and
time zone, the session cookie and the anti-forgery token of every form, error pages, assets.

Pages are rendered on the server (Jinja2); htmx updates parts of a page in place, and every
page works without it. Each feature keeps its pages beside its API (`requests/web.py`), as thin
as its routes, through the same services and the same authorisation step
(liaison.accounts.access): a page declares its permission with `page_for(Permission.x)`. The
composition root lists the features' sections (their routers, templates and header badges).
See docs/web.md.
"""
