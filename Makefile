# Rasid developer commands. `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## analyse the bundled sample articles and show the result
	$(BIN)/rasid analyze demo/seeds --meta demo/meta.jsonl --out out/demo
	@$(BIN)/python tools/show_documents.py out/demo/documents.jsonl

browser:  ## Debian's Chromium for the dashboard tests in a real browser (they are skipped without it)
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && { apt-get update -qq && apt-get install -y -qq chromium; } >/dev/null 2>&1; } \
	  || echo "chromium could not be installed: the browser tests will be skipped"

test: $(STAMP) browser  ## run the whole test suite (what CI runs)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## throughput and memory on SaudiNewsNet (needs ../shared/data)
	$(BIN)/python bench/bench_ingest.py --workers 2
	$(BIN)/python bench/bench_dedup.py
	$(BIN)/python bench/bench_stories.py
	$(BIN)/python bench/bench_entities.py
	$(BIN)/python bench/bench_events.py
	$(BIN)/python bench/bench_brief.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_rerun.py
	$(BIN)/python bench/bench_store.py --workers 2
	$(BIN)/python bench/profile.py --articles 300 --workers 2
	$(BIN)/python bench/bench_pipeline.py --articles 2000

clean:
	rm -rf out .pytest_cache .ruff_cache
