"""Export a trained voice, as one ``.safetensors`` file (EMA weights, config and symbol table) or as
ONNX graphs for the torch-free runtime:

    python -m tts_diffusion.export runs/espeak_cpu voice.safetensors --fp16 [--postfilter en-joe=0.5]
        [--voices ko-alpha,ko-kumo,en-joe]
    python -m tts_diffusion.export --onnx runs/espeak_cpu voice_onnx/ [--decoders ode:4,ode:10] [--vocoder SPEC] [--int8]

fp16 halves the size; weights are cast back to float32 when loaded. ``--postfilter VOICE=BETA``
writes the postfilter a voice speaks with by default into its card (see
:mod:`tts_diffusion.postfilter`; measure it first). ``--voices`` keeps the named voices in that order
(their rows of the speaker tables): the first voice of a language is the one it speaks with by default. The ONNX folder is described in
:mod:`tts_diffusion.export.onnx_graphs`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..files import atomic_path
from ..options import EXPORTABLE, SynthesisOptions
from ..pretrained import resolve_weights
from ..weights import half_precision, load_weights, read_metadata, save_weights


SPEAKER_TABLES = ("speaker_encoder.weight", "speaker_decoder.weight")  # a row per voice, in the voices' order


def select_voices(tensors: dict, metadata: dict, names: list[str]) -> None:
    """Keep the voices ``names``, in that order: the config's list and the speaker tables' rows."""
    voices = metadata["config"]["model"].get("voices", [])
    known = [v["name"] for v in voices]
    unknown = [n for n in names if n not in known]
    if unknown or len(set(names)) != len(names) or len(names) < 2:
        raise ValueError(f"--voices takes two or more distinct names of {', '.join(known) or 'no voices'}, "
                         f"not {','.join(names)!r}")
    rows = [known.index(n) for n in names]
    metadata["config"]["model"]["voices"] = [voices[i] for i in rows]
    for key in SPEAKER_TABLES:
        tensors[key] = tensors[key][rows].clone()


def export(spec: str, out: str | Path, fp16: bool = False, postfilters: dict[str, float] | None = None,
           voice_names: list[str] | None = None) -> Path:
    source = resolve_weights(spec)
    tensors, metadata = load_weights(source), read_metadata(source)
    if voice_names:
        select_voices(tensors, metadata, voice_names)
    if fp16:
        tensors = half_precision(tensors)
    voices = {v["name"]: v for v in metadata["config"]["model"].get("voices", [])}
    for name, beta in (postfilters or {}).items():
        if name not in voices:
            choices = f"choose {', '.join(voices)}" if voices else "the model has no named voices"
            raise ValueError(f"unknown voice {name!r}: {choices}")
        voices[name]["postfilter"] = SynthesisOptions(postfilter=beta).check().postfilter
    with atomic_path(out) as tmp:
        save_weights(tmp, tensors, metadata)
    return Path(out)


def _postfilters(specs: list[str]) -> dict[str, float]:
    """["en-joe=0.5", ...] -> {"en-joe": 0.5}."""
    out = {}
    for spec in specs:
        name, _, beta = spec.partition("=")
        try:
            out[name] = float(beta)
        except ValueError:
            raise ValueError(f"--postfilter takes VOICE=BETA, not {spec!r}") from None
    return out


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tts_diffusion.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="checkpoint folder, run folder or .safetensors file")
    parser.add_argument("out", help="the .safetensors file to write (with --onnx: the folder)")
    parser.add_argument("--fp16", action="store_true", help="store the weights as float16")
    parser.add_argument("--postfilter", action="append", default=[], metavar="VOICE=BETA",
                        help="the postfilter this voice speaks with by default (repeatable)")
    parser.add_argument("--voices", help="keep these voices, in this order, NAME,NAME,... (the first of a language "
                                         "speaks it by default)")
    parser.add_argument("--onnx", action="store_true", help="write ONNX graphs for the torch-free runtime")
    parser.add_argument("--decoders", default="ode:4,ode:10",
                        help=f"with --onnx: the samplers to unroll, METHOD:STEPS,... ({', '.join(EXPORTABLE)})")
    parser.add_argument("--vocoder",
                        help="with --onnx: griffinlim[:iterations] (numpy), a HiFi-GAN / Vocos spec, or VOCOS+griffinlim[:N] "
                             "(the networks exported too) (default: vocos+griffinlim where the bundled Vocos fits the "
                             "model's mel, else griffinlim)")
    parser.add_argument("--int8", action="store_true",
                        help="with --onnx: the decoders' convolutions in int8 (faster on a CPU; the mel no longer "
                             "the torch path's, see docs/runtimes.md)")
    args = parser.parse_args(argv)
    try:
        if args.int8 and not args.onnx:
            raise ValueError("--int8 quantizes an ONNX export: add --onnx")
        if args.onnx:
            from .onnx_graphs import export_onnx

            path = export_onnx(args.model, args.out, args.decoders, args.vocoder, args.int8)
        else:
            voice_names = args.voices.split(",") if args.voices else None
            path = export(args.model, args.out, args.fp16, _postfilters(args.postfilter), voice_names)
    except (ValueError, OSError) as err:
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"{path} ({_size(path) / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
