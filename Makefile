# The two commands of the README: `make demo` and `make test`. Both create .venv when missing.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-full test-fast lint release bench clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "could not create $(VENV) with $(PY): on Debian, apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install -q -e '.[dev,instructor,cluster]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/grader demo

# Every capability of the kit. The corpora run on one run seed, the calibration reproduces each
# assignment's hardest case, and the classes graded through slow paths (real nbgrader, the
# installed wheel, a busy machine) are the students that show every status (tests/lanes.py).
# `make test-full` (pytest --full) adds the other seeds, cases and students: docs/testing.md.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-full: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --full

# The TAs' lane while editing a notebook or a spec: one gate on the generated files (`grader
# release --check`: lint, the release, the example classes, the doc tables, each stale file named
# with its source), then the tests such an edit can break (reference, stubs, independent
# solutions, mutants, students' checks, releases' contents), without the slow ones (nbgrader
# courses, attacks, the demo) and without the tests that check the gate's files again (`gate`).
FAST_TESTS := tests/test_lint.py tests/test_hidden_tests.py tests/test_mutants.py \
	tests/test_student_check.py tests/test_release.py tests/test_examples.py tests/test_reference.py \
	tests/test_contract.py tests/test_language_releases.py
test-fast: $(STAMP)
	$(BIN)/grader release --check
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow and not gate" -k "not demo" $(FAST_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/grader lint

release: $(STAMP)
	$(BIN)/grader release

# Benchmarks (not part of `make test`): each writes bench/results/<name>.json, then
# bench/report.py writes docs/benchmarks.md. About an hour with the default sizes.
BENCH_N ?= 200
SCALE_SIZES ?= 100 500 2000
bench: $(STAMP)
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/freshness.py
	$(BIN)/python bench/isolation_cost.py
	$(BIN)/python bench/isolation_attacks.py
	$(BIN)/python bench/check_latency.py
	$(BIN)/python bench/training.py
	$(BIN)/python bench/throughput.py --n $(BENCH_N)
	$(BIN)/python bench/scale.py --sizes $(SCALE_SIZES)
	$(BIN)/python bench/similarity.py
	$(BIN)/python bench/cluster.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) build *.egg-info demo-output
