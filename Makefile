# The two commands a fresh machine needs: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test docs clean

build: $(STAMP)
	$(BIN)/syndicate build --config config/site.yaml

test: $(STAMP)
	$(BIN)/ruff check syndicate tests
	$(BIN)/python -m pytest -q

# docs/cli.md from each command's --help (at 80 columns) and docs/config.md from the config
# schema; tests/test_docs.py fails when a committed file differs from what this writes.
docs: $(STAMP)
	$(BIN)/python docs/generate.py

# Re-install when the project's metadata changes; the install is editable, so code edits need none.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) feeds .pytest_cache
