"""The bundled voice's ONNX form, made on first use and kept in the user's cache.

It does not ship: its graphs are 58 MB in float32 (each unrolled decoder holds the score network's
weights) against the torch form's 18 MB. ``tts-say --runtime onnx`` (``TTS.from_pretrained(runtime=
"onnx")``) exports it once with ``python -m tts_diffusion.export --onnx``, which needs torch, into
``$XDG_CACHE_HOME/tts-diffusion/onnx/<voice>-<hash of its weights>`` (default ``~/.cache``); later runs
load it from there through onnxruntime, and a new version of the voice gets a new folder.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from ..audio import GRIFFIN_LIM_ITERATIONS, VOCOS_GRIFFIN_LIM_ITERATIONS


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tts-diffusion" / "onnx"


def onnx_form(folder: Path) -> Path:
    """The exported folder of the voice in ``folder`` (its ``voice.safetensors``), with the default
    vocoder (the bundled Vocos beside it, ``../vocos``, and Griffin-Lim), made if missing; named by a
    hash of all the weights and Griffin-Lim's iterations, so that a new version gets a new folder."""
    digest = hashlib.sha256(f"{GRIFFIN_LIM_ITERATIONS},{VOCOS_GRIFFIN_LIM_ITERATIONS}".encode())
    for weights in (folder / "voice.safetensors", folder.parent / "vocos" / "generator.safetensors"):
        if weights.is_file():
            digest.update(weights.read_bytes())
    digest = digest.hexdigest()[:16]
    out = cache_root() / f"{folder.name}-{digest}"
    if not (out / "voice.json").is_file():
        try:
            from ..onnx_export import export_onnx
        except ImportError:
            raise ValueError("the bundled voice's ONNX form is made on first use, which needs torch once: "
                             "pip install 'tts-diffusion[torch]', or pass a voice exported with "
                             "python -m tts_diffusion.export --onnx") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"tts-diffusion: making the ONNX form of {folder.name} once, into {out} (about a minute)",
              file=sys.stderr)
        export_onnx(folder, out)
    return out
