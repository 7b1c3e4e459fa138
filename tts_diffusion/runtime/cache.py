"""The bundled voice's ONNX form, made once and kept in the user's cache.

It does not ship: its graphs are 58 MB in float32 (each unrolled decoder holds the score network's
weights) against the torch form's 18 MB. ``python -m tts_diffusion.runtime.cache`` makes it ahead
(``tts-say --runtime onnx`` on first use otherwise), with ``python -m tts_diffusion.export --onnx``,
which needs torch, into ``$XDG_CACHE_HOME/tts-diffusion/onnx/<voice>-<hash of its weights>`` (default
``~/.cache``); later runs load it from there through onnxruntime (``tts-say``'s default runtime,
``auto``, takes it when it is there), and a new version of the voice gets a new folder.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from ..audio import GRIFFIN_LIM_ITERATIONS, VOCOS_GRIFFIN_LIM_ITERATIONS


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tts-diffusion" / "onnx"


def cached_form(folder: Path) -> Path:
    """Where the exported folder of the voice in ``folder`` (its ``voice.safetensors``) with the
    default vocoder (the bundled Vocos beside it, ``../vocos``, and Griffin-Lim) is kept: named by a
    hash of all the weights and Griffin-Lim's iterations, so that a new version gets a new folder."""
    digest = hashlib.sha256(f"{GRIFFIN_LIM_ITERATIONS},{VOCOS_GRIFFIN_LIM_ITERATIONS}".encode())
    for weights in (folder / "voice.safetensors", folder.parent / "vocos" / "generator.safetensors"):
        if weights.is_file():
            digest.update(weights.read_bytes())
    return cache_root() / f"{folder.name}-{digest.hexdigest()[:16]}"


def onnx_form(folder: Path) -> Path:
    """The cached ONNX form of the voice in ``folder`` (:func:`cached_form`), made if missing."""
    out = cached_form(folder)
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


def main() -> int:
    """``python -m tts_diffusion.runtime.cache``: make the bundled voice's ONNX form now."""
    from ..api import BUNDLED

    try:
        print(onnx_form(BUNDLED))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
