# ecopark — two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)

.PHONY: run test install setup lint format messages clean bench plotly

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_frameworks
	$(BIN)/python manage.py load_demo

run: setup
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild the message catalogues after changing strings (needs GNU gettext's msgfmt/xgettext).
messages: install
	$(BIN)/python manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

# National recompute benchmark against PostgreSQL (see benchmarks/README.md); prints one JSON line.
bench: install
	@$(BIN)/python benchmarks/recompute.py $(BENCH_ARGS)

# plotly.js with only the traces ecopark draws (frontend/README.md; needs node and npm). The
# result, static/vendor/plotly-ecopark.min.js, is committed: nothing else needs node.
plotly:
	cd frontend/plotly && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) var
