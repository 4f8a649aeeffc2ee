# vnsearch: `make run` serves the sample corpus, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test screenshot install index bench-relevance bench-speed clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench,semantic]'
	touch $(STAMP)

install: $(STAMP)

# Incremental: a no-op when the samples have not changed since the last run.
index: $(STAMP)
	$(BIN)/vnsearch reindex

run: index
	$(BIN)/vnsearch serve --port $(PORT)

/usr/bin/chromium:
	command -v apt-get >/dev/null && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || { echo "install Debian's chromium package to run the browser tests"; exit 1; }

test: $(STAMP) /usr/bin/chromium
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The README's picture of the results page; the only target that writes into the tree.
screenshot: $(STAMP) /usr/bin/chromium
	VNSEARCH_SCREENSHOT=docs/screenshot-results.png $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/test_browser.py -k test_screenshot_of_the_results_page

# The dev collections are read from ../shared/data, never copied into the project.
bench-relevance: $(STAMP)
	for c in vinewsqa viquad vicov19qa alqac; do for f in "" --fold-queries; do \
	  $(BIN)/python -m bench.relevance --collection $$c $$f --hybrid || exit 1; done; done

bench-speed: $(STAMP)
	$(BIN)/python -m bench.speed --sizes 10000,45000,150704

clean:
	rm -rf $(VENV) index_data/current index_data/gen-* bench/work
