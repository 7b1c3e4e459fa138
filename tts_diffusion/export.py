"""Export a trained voice as one ``.safetensors`` file (EMA weights, config and symbol table):

    python -m tts_diffusion.export runs/espeak_cpu voice.safetensors --fp16

fp16 halves the size; weights are cast back to float32 when loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .files import atomic_path
from .pretrained import PretrainedError, resolve_weights
from .weights import load_weights, read_metadata, save_weights


def export(spec: str, out: str | Path, fp16: bool = False) -> Path:
    source = resolve_weights(spec)
    tensors = load_weights(source)
    if fp16:
        tensors = {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
    with atomic_path(out) as tmp:
        save_weights(tmp, tensors, read_metadata(source))
    return Path(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts_diffusion.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="checkpoint folder, run folder or .safetensors file")
    parser.add_argument("out", help="the .safetensors file to write")
    parser.add_argument("--fp16", action="store_true", help="store the weights as float16")
    args = parser.parse_args(argv)
    try:
        path = export(args.model, args.out, args.fp16)
    except PretrainedError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
