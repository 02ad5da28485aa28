# Two commands: `make run` starts the app, `make test` runs every test.
# Both create .venv and install what is missing; a second call reinstalls nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# make serve-replicas: N streamlit processes behind nginx on PROXY_PORT (deploy/serve_replicas.py)
N ?= 2
PROXY_PORT ?= 8080
# glibc keeps up to 8 heap arenas a core for the server's many threads, and an idle server then sat
# higher after every class (bench/load.py); with 2 it comes back to the same level class after class.
MALLOC_ARENA_MAX ?= 2

.PHONY: chromium nginx locales messages run serve-replicas test test-fast screenshots bench clean

$(VENV)/.stamp-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.stamp-test: requirements-test.txt requirements.txt $(VENV)/.stamp-runtime
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# The Korean catalogue compiled for gettext (rnnviz/i18n.py); `make messages` re-extracts the English texts.
MO := rnnviz/locale/ko/LC_MESSAGES/rnnviz.mo
locales: $(MO)
$(MO): rnnviz/locale/ko/LC_MESSAGES/rnnviz.po $(VENV)/.stamp-runtime
	$(VENV)/bin/pybabel compile --statistics -d rnnviz/locale -D rnnviz -l ko

messages: $(VENV)/.stamp-runtime
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --no-wrap --sort-output --omit-header -o rnnviz/locale/rnnviz.pot .
	$(VENV)/bin/pybabel update --no-wrap --ignore-obsolete -i rnnviz/locale/rnnviz.pot -d rnnviz/locale -D rnnviz -l ko

# Debian's chromium for the browser tests; never a browser download of Playwright's own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }
	@fc-list :lang=ko 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else echo "no font with Hangul: install Debian's fonts-noto-cjk package (sudo apt-get install fonts-noto-cjk)"; exit 1; fi; }

# Debian's nginx for make serve-replicas and its browser test (tests/browser/test_replicas.py).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "nginx is missing: install Debian's nginx-light package (sudo apt-get install nginx-light)"; exit 1; fi; }

run: $(VENV)/.stamp-runtime $(MO)
	MALLOC_ARENA_MAX=$(MALLOC_ARENA_MAX) $(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

# N replicas of the app behind nginx with sticky sessions, as deploy/compose.yaml without Docker; Ctrl-C stops all.
serve-replicas: $(VENV)/.stamp-runtime $(MO) nginx
	$(PY) deploy/serve_replicas.py --replicas $(N) --port $(PROXY_PORT)

test: $(VENV)/.stamp-test $(MO) chromium nginx
	$(PY) -m pytest

test-fast: $(VENV)/.stamp-test $(MO)
	$(PY) -m pytest -m "not browser"

screenshots: $(VENV)/.stamp-test $(MO) chromium nginx
	$(PY) -m pytest -m browser --update-screenshots

bench: $(VENV)/.stamp-test
	$(PY) bench/trace_bench.py

clean:
	rm -rf $(VENV)
