"""Export a voice as ONNX graphs for the torch-free runtime (:mod:`tts_diffusion.engines.onnx_engine`):

    python -m tts_diffusion.export --onnx MODEL OUT_DIR [--decoders ode:4,ode:10] [--vocoder SPEC] [--int8]

OUT_DIR gets
- ``encoder.onnx``: (ids, langs, lengths[, speaker]) -> (mu_x, log_w), the text encoder and its
  duration predictor; the runtime spreads mu_x over the frames in numpy (d = round(exp(log_w) / speed)).
- ``decoder_<method>_<steps>.onnx`` for each requested sampler: (mu, mask, x_init[, speaker]) ->
  mel, the probability-flow ODE unrolled for a fixed number of steps (as Matcha-TTS exports its
  decoder); the initial noise is an input, so a run is reproducible and the two paths comparable.
- ``vocoder.onnx`` for a neural vocoder (HiFi-GAN: mel -> audio; Vocos: mel -> STFT log-magnitude
  and phase, inverted in numpy since ONNX has no inverse STFT, or only its phase used to start
  Griffin-Lim for ``vocos+griffinlim``); Griffin-Lim runs in numpy.
- ``voice.json``: the format, mel config, symbol table and front end, voices, the prior's std,
  the decoders (``int8``: their convolutions quantized, see :mod:`tts_diffusion.export.int8`),
  the vocoder, and the frame multiple the decoder needs.

Batch, tokens and frames are dynamic axes. The stochastic samplers (sde, pc) draw fresh noise at
every step and are not exported.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from dataclasses import asdict
from pathlib import Path

import torch
from torch import nn

from ..options import EXPORTABLE, MAX_STEPS
from ..pretrained import load_acoustic
from ..engines.onnx_engine import FORMAT  # one definition: the reader's
from ..sampling import sample

OPSET = 17


class _Encoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, langs, lengths, speaker=None):
        mu_x, log_w, x_mask = self.model.encode(ids, langs, lengths, speaker)
        return mu_x * x_mask, log_w * x_mask


class _Decoder(nn.Module):
    def __init__(self, model, method: str, steps: int):
        super().__init__()
        self.model, self.method, self.steps = model, method, steps

    def forward(self, mu, mask, x_init, speaker=None):
        return sample(self.model.score_fn(mu, mask, speaker), x_init, mu, self.model.sde, self.method, self.steps,
                      mask=mask)[0]


class _VocosSpectrum(nn.Module):
    def __init__(self, vocos):
        super().__init__()
        self.vocos = vocos

    def forward(self, mel):
        return self.vocos.spectrum(mel)


def parse_decoders(spec: str) -> list[tuple[str, int]]:
    """``"ode:4,ode:10"`` -> [("ode", 4), ("ode", 10)]; only deterministic samplers export."""
    out = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        method, _, steps = part.partition(":")
        if method not in EXPORTABLE or not steps.isdigit() or not 1 <= int(steps) <= MAX_STEPS:
            raise ValueError(f"cannot export decoder {part!r}: write METHOD:STEPS with METHOD one of "
                             f"{', '.join(EXPORTABLE)} and 1 to {MAX_STEPS} steps")
        out.append((method, int(steps)))
    if not out:
        raise ValueError("no decoder to export: e.g. --decoders ode:4,ode:10")
    return out


def _export(module: nn.Module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
            axes: dict[str, dict[int, str]]) -> None:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(module.eval(), args, str(path), input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def _export_encoder(model, folder: Path, voices: bool) -> None:
    ids = torch.tensor([[1, 2, 3, 4, 5, 6], [1, 2, 3, 0, 0, 0]])
    speaker = (torch.tensor([0, 0]),) if voices else ()
    tokens = {0: "batch", 1: "tokens"}
    _export(_Encoder(model), (ids, torch.zeros_like(ids), torch.tensor([6, 3]), *speaker), folder / "encoder.onnx",
            ["ids", "langs", "lengths"] + (["speaker"] if voices else []), ["mu_x", "log_w"],
            {"ids": tokens, "langs": tokens, "lengths": {0: "batch"}, "speaker": {0: "batch"},
             "mu_x": {0: "batch", 2: "tokens"}, "log_w": {0: "batch", 2: "tokens"}})


def _export_decoders(model, n_mels: int, folder: Path, voices: bool, wanted: list[tuple[str, int]]) -> dict:
    """Traced on a padded batch (the second item half masked), so the masked forms are the ones kept."""
    frames = 8 * model.decoder.frame_multiple
    mu, mask = torch.randn(2, n_mels, frames), torch.ones(2, 1, frames)
    mask[1, :, frames // 2:] = 0
    speaker = (torch.tensor([0, 0]),) if voices else ()
    axes = {name: {0: "batch", 2: "frames"} for name in ("mu", "mask", "x_init", "mel")} | {"speaker": {0: "batch"}}
    files: dict[str, dict[str, str]] = {}
    for method, steps in wanted:
        name = f"decoder_{method}_{steps}.onnx"
        _export(_Decoder(model, method, steps), (mu, mask, torch.randn_like(mu), *speaker), folder / name,
                ["mu", "mask", "x_init"] + (["speaker"] if voices else []), ["mel"], axes)
        files.setdefault(method, {})[str(steps)] = name
    return files


def _export_vocoder(vocoder, n_mels: int, folder: Path) -> dict:
    """The vocoder's entry in voice.json; a neural one is also written as ``vocoder.onnx``."""
    from ..vocoder import GriffinLim, VocosGriffinLim
    from ..vocoder.vocos import Vocos

    if isinstance(vocoder, GriffinLim):
        return {"kind": "griffinlim", "iterations": vocoder.iterations, "momentum": vocoder.momentum,
                "power": vocoder.power, "seed": vocoder.seed}
    if isinstance(vocoder, VocosGriffinLim):  # the Vocos graph (for its phase) and Griffin-Lim's settings
        return (_export_vocoder(vocoder.vocos, n_mels, folder) | _export_vocoder(vocoder.griffinlim, n_mels, folder)
                | {"kind": "vocos+griffinlim"})
    mel, frames = torch.randn(1, n_mels, 32) - 4, {0: "batch", 2: "frames"}
    if isinstance(vocoder, Vocos):
        _export(_VocosSpectrum(vocoder), (mel,), folder / "vocoder.onnx", ["mel"], ["log_magnitude", "phase"],
                {"mel": frames, "log_magnitude": frames, "phase": frames})
        return {"kind": "vocos", "file": "vocoder.onnx"}
    _export(vocoder, (mel,), folder / "vocoder.onnx", ["mel"], ["audio"], {"mel": frames, "audio": {0: "batch", 1: "samples"}})
    return {"kind": "hifigan", "file": "vocoder.onnx"}


def export_onnx(spec: str | Path, out_dir: str | Path, decoders: str = "ode:4,ode:10",
                vocoder: str | None = None, int8: bool = False) -> Path:
    """Write the ONNX voice of ``spec`` into ``out_dir``: built in a temporary folder beside it,
    which replaces ``out_dir`` (an earlier export) once complete. ``int8``: the decoders' convolutions
    in int8 (:mod:`tts_diffusion.export.int8`)."""
    from ..vocoder import load_vocoder

    wanted = parse_decoders(decoders)
    out_dir = Path(out_dir)
    if out_dir.exists() and not (out_dir / "voice.json").is_file():
        raise ValueError(f"{out_dir} exists and is not an exported voice: choose a new folder")
    model, tokenizer, mel_config = load_acoustic(spec)
    neural = load_vocoder(vocoder, mel_config)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent if out_dir.parent.is_dir() else None))
    try:
        voices = bool(model.config.voices)
        _export_encoder(model, tmp, voices)
        meta = {"format": FORMAT, "mel": asdict(mel_config), "tokenizer": tokenizer.state(),
                "voices": [asdict(v) for v in model.config.voices], "prior_std": model.sde.prior_std(),
                "frame_multiple": model.decoder.frame_multiple,
                "decoders": _export_decoders(model, mel_config.n_mels, tmp, voices, wanted),
                "vocoder": _export_vocoder(neural, mel_config.n_mels, tmp), "int8": int8}
        if int8:
            from .int8 import calibration_inputs, quantize_decoder

            feeds = calibration_inputs(model, tokenizer)
            for name in (n for files in meta["decoders"].values() for n in files.values()):
                quantize_decoder(tmp / name, feeds)
        (tmp / "voice.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
