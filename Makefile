# studioflow: set up, run the demo, run the tests.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := .make-stamps

.PHONY: install demo test bench bench-automix clean

install: $(STAMP)/installed

$(STAMP)/installed: pyproject.toml setup.py $(wildcard src/studioflow/_kernels/*.[ch]) scripts/setup-system.sh
	bash scripts/setup-system.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,plugins]'
	mkdir -p $(STAMP) && touch $@

demo: install
	$(VENV)/bin/studioflow demo-run demo-out

test: install
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 -q

bench: install
	for b in loudness dsp dsp_convolution mix master; do $(PY) bench/$$b.py || exit 1; done

# automix's ear on real arrangements: render the corpus (Debian packages, ~25 min the first time), then judge
bench-automix: install
	$(PY) bench/corpus/build.py
	$(PY) bench/automix.py --json bench/out/automix.json

clean:
	rm -rf $(STAMP) demo-out build src/*.egg-info
