# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint release bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "could not create $(VENV) with $(PY): on Debian, apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install -q -e '.[dev,instructor,datasets]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/grader demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

release: $(STAMP)
	$(BIN)/grader release

clean:
	rm -rf $(VENV) build *.egg-info demo-output
