# Two entry points: `make demo` and `make test`. Each bootstraps .venv from requirements.lock.
.PHONY: demo test bootstrap system-packages lint unit lock bench screenshots clean

# Debian packages Liaison needs at run time (WeasyPrint renders the formal documents) ...
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk fonts-dejavu-core age
# ... and those the tests add: a PostgreSQL server, the external checkers of our formats, and
# the browser the web interface is tested in (Playwright drives it; it downloads none).
TEST_DEBS := $(RUN_DEBS) postgresql poppler-utils chromium

bootstrap:
	bin/bootstrap
	bin/i18n compile >/dev/null  # the web interface's catalogs, from their .po

demo: bootstrap
	-bin/system-packages $(RUN_DEBS)  # only the formal documents need these; the demo runs without
	LIAISON_ENV=dev LIAISON_DATA_DIR=$(CURDIR)/var/demo .venv/bin/liaison demo --nodes 3

system-packages:
	bin/system-packages $(TEST_DEBS)

lint: bootstrap
	bin/lint

test: bootstrap system-packages lint
	bin/tests

unit: bootstrap
	.venv/bin/pytest -x -q

# Regenerate requirements.lock after changing pyproject.toml.
lock: bootstrap
	.venv/bin/python -m pip install --quiet uv
	.venv/bin/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

# Screenshots of the main pages in en, ru, vi, ar (right to left) and zh into docs/screenshots/,
# taken by the browser tests in Debian's chromium.
screenshots: bootstrap
	-bin/system-packages chromium fonts-noto-core fonts-noto-cjk
	WEB_SCREENSHOTS=1 .venv/bin/pytest -q tests/browser

bench: bootstrap
	for b in bench/*.py; do .venv/bin/python $$b --quick || exit 1; done

clean:
	rm -rf .venv var .mypy_cache .ruff_cache .pytest_cache
