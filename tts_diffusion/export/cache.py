"""The bundled voice's ONNX form, made once and kept in the user's cache.

It does not ship: its graphs are 58 MB in float32 (each unrolled decoder holds the score network's
weights) against the torch form's 18 MB. ``python -m tts_diffusion.export.cache`` makes it ahead
(``tts-say --runtime onnx`` on first use otherwise), with ``python -m tts_diffusion.export --onnx``,
which needs torch, into ``$XDG_CACHE_HOME/tts-diffusion/onnx/<voice>-<hash of its weights>`` (default
``~/.cache``); later runs load it from there through onnxruntime (``tts-say``'s default runtime,
``auto``, takes it when it is there), and a new version of the voice gets a new folder.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

from ..audio import GRIFFIN_LIM_ITERATIONS, VOCOS_GRIFFIN_LIM_ITERATIONS


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tts-diffusion" / "onnx"


def cached_form(folder: Path) -> Path:
    """Where the exported folder of the voice in ``folder`` (its ``voice.safetensors``) with the
    default vocoder (the bundled Vocos beside it, ``../vocos``, and Griffin-Lim) is kept: named by a
    hash of all the weights and Griffin-Lim's iterations, so that a new version gets a new folder."""
    weights = [w for w in (folder / "voice.safetensors", folder.parent / "vocos" / "generator.safetensors")
               if w.is_file()]
    stamps = tuple((w, w.stat().st_mtime_ns, w.stat().st_size) for w in weights)
    return cache_root() / f"{folder.name}-{_digest(stamps)}"


def is_cached(folder: Path) -> bool:
    """Whether the ONNX form of the voice in ``folder`` is in the cache: an export's folder, its
    ``voice.json`` inside, appears whole by one rename."""
    return (cached_form(folder) / "voice.json").is_file()


def _marker(folder: Path) -> Path:
    """The file a background maker of ``folder``'s ONNX form holds while it works."""
    form = cached_form(folder)
    return form.with_name(form.name + ".making")


@functools.lru_cache(maxsize=16)
def _digest(files: tuple[tuple[Path, int, int], ...]) -> str:
    """The hash of the files' contents and Griffin-Lim's iterations; read once a process for the same
    files unchanged (their modification time and size are part of the key)."""
    digest = hashlib.sha256(f"{GRIFFIN_LIM_ITERATIONS},{VOCOS_GRIFFIN_LIM_ITERATIONS}".encode())
    for path, _, _ in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def onnx_form(folder: Path) -> Path:
    """The cached ONNX form of the voice in ``folder`` (:func:`cached_form`), made if missing."""
    out = cached_form(folder)
    if not is_cached(folder):
        try:
            from .onnx_graphs import export_onnx
        except ImportError:
            raise ValueError("the bundled voice's ONNX form is made on first use, which needs torch once: "
                             "pip install 'tts-diffusion[torch]', or pass a voice exported with "
                             "python -m tts_diffusion.export --onnx") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        print(f"tts-diffusion: making the ONNX form of {folder.name} once, into {out} (about a minute)",
              file=sys.stderr)
        export_onnx(folder, out)
        optimize_graphs(out)
    return out


def optimize_graphs(folder: Path) -> None:
    """Save each graph of an exported voice as onnxruntime optimizes it, under ``folder/optimized``,
    for :class:`~tts_diffusion.engines.onnx_engine.OnnxEngine` to load without optimizing again (a
    faster cold start: docs/cold_start.md). The extended level, not the full one, whose layout
    transforms are specific to the CPU that made them: the cache may be shared between machines."""
    import onnxruntime

    out = folder / "optimized"
    out.mkdir(exist_ok=True)
    for graph in sorted(folder.glob("*.onnx")):
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
        options.optimized_model_filepath = str(out / f".{graph.name}.tmp")
        onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        os.replace(out / f".{graph.name}.tmp", out / graph.name)


MAKING_FOR = 600  # seconds a background maker's marker holds off another one


def make_in_background(folder: Path) -> bool:
    """Start ``python -m tts_diffusion.export.cache`` as a detached process at low priority, when
    onnxruntime is installed, the ONNX form of the voice in ``folder`` is not cached yet and no other
    process is making it (a marker file ``<form>.making``, younger than :data:`MAKING_FOR`, made
    atomically), unless the environment sets ``TTS_DIFFUSION_NO_BACKGROUND``. True when started:
    ``tts-say``'s first run speaks through torch and leaves the fast start to the runs after it, with
    no wait."""
    if os.environ.get("TTS_DIFFUSION_NO_BACKGROUND"):
        return False
    if importlib.util.find_spec("onnxruntime") is None or is_cached(folder):
        return False
    marker = _marker(folder)
    marker.parent.mkdir(parents=True, exist_ok=True)
    try:
        if time.time() - marker.stat().st_mtime < MAKING_FOR:
            return False
        marker.unlink()  # left by a maker that died
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    subprocess.Popen([sys.executable, "-m", "tts_diffusion.export.cache", "--nice", str(folder)],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m tts_diffusion.export.cache [--nice] [VOICE_FOLDER]``: make the ONNX form of the
    bundled voice (or of the voice in VOICE_FOLDER) now; ``--nice``: at low priority, removing the
    marker of :func:`make_in_background` when done."""
    import argparse

    from ..api import BUNDLED

    parser = argparse.ArgumentParser(prog="python -m tts_diffusion.export.cache", description="make the ONNX form "
                                     "of the bundled voice, or of the voice in FOLDER, now")
    parser.add_argument("folder", nargs="?", type=Path, default=BUNDLED)
    parser.add_argument("--nice", action="store_true", help="at low priority (a background maker)")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(10)
    try:
        print(onnx_form(args.folder))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        if args.nice:
            _marker(args.folder).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
