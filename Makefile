# The two commands a fresh machine needs: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test lint clean

build: $(STAMP)
	$(BIN)/syndicate build --config config/site.yaml

test: $(STAMP)
	$(BIN)/ruff check syndicate tests
	$(BIN)/python -m pytest -q

# Re-install when the project's metadata changes; the install is editable, so code edits need none.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) feeds .pytest_cache
