"""Convert a HiFi-GAN or Vocos checkpoint (official format, or any spec load_vocoder reads) to our layout:

    python -m tts_diffusion.vocoder.convert g_02500000 out/hifigan-v1/    # config.json beside g_02500000
    python -m tts_diffusion.vocoder.convert hf:charactr/vocos-mel-24khz out/vocos-24khz/
    python -m tts_diffusion.vocoder.convert runs/vocos_finetune/checkpoints/step_0003000 tts_diffusion/voices/vocos --fp16

writes ``out/generator.safetensors`` (weight norm folded; ``--fp16`` halves it, and it is cast back to
float32 when loaded) and ``out/config.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from ..files import atomic_path, atomic_write_text
from ..weights import half_precision
from .hifigan import Generator
from .load import VocoderError, load_vocoder
from .vocos import ARCHITECTURE as VOCOS, Vocos


def convert(spec: str, out_dir: str | Path, fp16: bool = False) -> Path:
    generator = load_vocoder(spec)
    if not isinstance(generator, (Generator, Vocos)):
        raise VocoderError(f"{spec} is not a HiFi-GAN or Vocos checkpoint")
    config = dataclasses.asdict(generator.config)
    if isinstance(generator, Vocos):
        config = {"architecture": VOCOS, **config}
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    with atomic_path(out_dir / "generator.safetensors") as tmp:
        tensors = generator.state_dict()
        save_file({k: v.contiguous() for k, v in (half_precision(tensors) if fp16 else tensors).items()}, str(tmp))
    atomic_write_text(out_dir / "config.json", json.dumps(config, indent=2) + "\n")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts_diffusion.vocoder.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("source")
    parser.add_argument("out_dir")
    parser.add_argument("--fp16", action="store_true", help="store the weights as float16")
    args = parser.parse_args(argv)
    try:
        print(convert(args.source, args.out_dir, args.fp16))
    except VocoderError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
