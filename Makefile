# One venv for everything; the constraints file keeps torch on the CPU wheel (see README).
PYTHON ?= python3
VENV ?= .venv
PIP = $(VENV)/bin/pip
CONSTRAINTS ?= constraints/cpu.txt

.PHONY: install test demo bench

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[dev]"
	touch $@

install: $(VENV)/.installed

test: install
	$(VENV)/bin/python -m pytest -q

demo: install
	$(VENV)/bin/tts-say "안녕하세요" -o out.wav
