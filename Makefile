# Farebridge: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FB     := $(VENV)/bin/farebridge
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test test-quick bench screenshots translations clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

# Compiled catalogues are built here, never committed (a fresh clone stays clean).
MO := $(patsubst %.po,%.mo,$(wildcard webapp/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

install: $(STAMP) $(MO)

run: install
	$(FB) db upgrade
	$(FB) demo load
	$(FB) demo sales
	$(FB) serve --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# The fast subset while working: no browser, no RabbitMQ worker processes (make test runs everything).
test-quick: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -m "not rabbitmq" --ignore=tests/browser --ignore=tests/integration

bench: install
	$(PY) -m bench

# The browser tests again, saving their screenshots to docs/screenshots (the README shows them).
screenshots: install
	FAREBRIDGE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/browser

# After changing a page's text: extract the strings, update the catalogues, translate the new ones, compile again.
translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --no-location --sort-output --project Farebridge \
		-o webapp/translations/messages.pot .
	$(VENV)/bin/pybabel update -i webapp/translations/messages.pot -d webapp/translations \
		--width 120 --ignore-obsolete
	$(VENV)/bin/pybabel compile -d webapp/translations

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis .import_linter_cache *.egg-info
