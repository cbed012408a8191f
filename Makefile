# alliance-toolkit: set-up in two commands.
#
#   make lab    create .venv if needed, install the toolkit (editable, extras analysis+lab)
#               and open JupyterLab on notebooks/ (no browser; the URL with its token is printed)
#   make test   create/refresh .venv, install the test extras and run the whole suite
#   make dashboard  install the dashboard extra and serve the clinic dashboard (Voila) on 127.0.0.1
#
# Re-running is cheap: pip runs again only when pyproject.toml is newer than the stamp file
# in .venv. Debian packages the tests need go in DEB_PACKAGES (installed by `system-deps`
# with apt-get, only when missing).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist), a test file per worker so that a file's browser, server and
# notebook fixtures start once; PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

# Debian packages the test suite needs: chromium (and a font, for readable screenshots) for the
# real-browser test in tests/browser/.
DEB_PACKAGES ?= chromium fonts-liberation

# JupyterLab: loopback only, no browser; --allow-root only when running as root.
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# apt-get runs as root, or through sudo when it is available.
SUDO := $(if $(filter 0,$(shell id -u)),,$(shell command -v sudo 2>/dev/null))
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

# The clinic dashboard (Voila): loopback only, a random token in the printed URL.
DASH_PORT ?= 8866

LAB_STAMP := $(VENV)/.installed-lab
TEST_STAMP := $(VENV)/.installed-test
DASH_STAMP := $(VENV)/.installed-dashboard

.PHONY: help lab dashboard test install install-test system-deps venv bench docs clean distclean

help:
	@echo "make lab           install (editable, extras analysis+lab+fast) and open JupyterLab on notebooks/"
	@echo "make dashboard     install the dashboard extra and serve the clinic dashboard (prints the URL to open)"
	@echo "make test          install the test extras and run the whole suite (PYTEST_ARGS='...' to pass options)"
	@echo "make system-deps   apt-get install the Debian packages the tests need, if missing"
	@echo "make bench         run the benchmarks in benchmarks/, store each run, compare with the last stored run"
	@echo "make docs          build the documentation site offline into docs/_build/html (notebooks executed)"
	@echo "make clean         remove caches and build outputs; make distclean also removes .venv"

lab: $(LAB_STAMP)
	$(VPY) -m jupyterlab --no-browser --ip=$(LAB_IP) --port=$(LAB_PORT) \
		--ServerApp.root_dir=notebooks $(ALLOW_ROOT)

# The template `offline` (notebooks/dashboard/jupyter/voila/templates/) is Voila's lab template without its
# links to a CDN, so the dashboard works without a network.
dashboard: $(DASH_STAMP)
	@echo "Starting the clinic dashboard (Voila) on $(LAB_IP):$(DASH_PORT); open the URL printed below. Ctrl-C stops it."
	JUPYTER_PATH="$(CURDIR)/notebooks/dashboard/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
		$(VENV)/bin/voila notebooks/dashboard/clinic.ipynb --template=offline --no-browser \
		--Voila.ip=$(LAB_IP) --port=$(DASH_PORT) --token

# pytest's exit status 5 (no tests collected) fails like any other.
test: system-deps $(TEST_STAMP)
	$(VPY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS) || { rc=$$?; \
		[ $$rc -ne 5 ] || echo "pytest collected no tests: that is a failure" >&2; exit $$rc; }

install: $(LAB_STAMP)
install-test: $(TEST_STAMP)

venv: $(VPY)

# The venv itself. On Debian `python3 -m venv` needs the python3-venv package: install it
# with apt-get only when creating the venv fails, then try again.
$(VPY):
	@if ! $(PYTHON) -m venv $(VENV); then \
		echo "'$(PYTHON) -m venv' failed: installing python3-venv with apt-get"; \
		rm -rf $(VENV); \
		command -v apt-get >/dev/null || { echo "no apt-get: install the venv module for $(PYTHON) yourself"; exit 1; }; \
		$(APT_GET) update && $(APT_GET) install -y --no-install-recommends python3-venv; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(PIP) install --upgrade pip

$(LAB_STAMP): pyproject.toml | $(VPY)
	$(PIP) install -e '.[analysis,lab,fast]'
	touch $@

$(DASH_STAMP): pyproject.toml | $(VPY)
	$(PIP) install -e '.[analysis,lab,fast,dashboard]'
	touch $@

# The test extras include everything `lab` and `dashboard` need, so they satisfy their stamps too.
$(TEST_STAMP): pyproject.toml | $(VPY)
	$(PIP) install -e '.[analysis,lab,test]'
	touch $@ $(LAB_STAMP) $(DASH_STAMP)

system-deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(APT_GET) update && $(APT_GET) install -y --no-install-recommends $$missing; \
	fi

# Each script stores its run under benchmarks/results/<bench>/; compare.py then prints what got slower
# than the previous stored run (and the targets missed).
bench: $(TEST_STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(VPY) $$b; done
	@$(VPY) benchmarks/compare.py

DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): pyproject.toml | $(VPY)
	$(PIP) install -e '.[analysis,lab,docs]'
	touch $@

# Sphinx with warnings as errors; ALLIANCE_DOCS_EXECUTE=off skips running the notebooks.
docs: $(DOCS_STAMP)
	ALLIANCE_DOCS_EXECUTE=$${ALLIANCE_DOCS_EXECUTE:-auto} $(VPY) -m sphinx -b html -W --keep-going docs docs/_build/html
	@echo "open docs/_build/html/index.html"

clean:
	rm -rf build dist .pytest_cache .hypothesis test-artifacts docs/_build docs/api docs/instruments docs/gallery
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
