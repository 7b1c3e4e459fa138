"""Loading a trained acoustic model: from a checkpoint folder, a run folder (its newest
checkpoint) or one ``.safetensors`` file, whose metadata holds the config and the symbol table."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors import SafetensorError


from .audio import MelConfig
from .config import ConfigError, from_dict
from .hub import hub_file, parse_spec
from .model_size import build_within
from .models.tts import CHECKPOINT_FORMAT, GradTTS, ModelConfig
from .text import Tokenizer
from .weights import checkpoint_dirs, load_weights, read_metadata


class PretrainedError(ValueError):
    """A model that cannot be found or read."""


def resolve_weights(spec: str | Path) -> Path:
    """The weights file a spec names: file -> itself; checkpoint folder -> its EMA weights (a voice
    folder -> its ``voice.safetensors``);
    run folder -> the EMA weights of its newest checkpoint; ``hf:<repo_id>[:<filename>]`` -> that
    file (default ``model.safetensors``) from the Hub or its cache."""
    if isinstance(spec, str) and spec.startswith("hf:"):
        return hub_file(*parse_spec(spec, "model.safetensors"), PretrainedError)
    path = Path(spec)
    if path.is_file():
        return path
    for name in ("ema.safetensors", "voice.safetensors"):  # a checkpoint folder, or a bundled voice's folder
        if (path / name).is_file():
            return path / name
    found = checkpoint_dirs(path)
    if found:
        return found[-1] / "ema.safetensors"
    raise PretrainedError(f"no model at {spec} (expected a .safetensors file, a checkpoint folder or a run folder)")


def upgrade_model_config(model: dict) -> dict:
    """A model config as saved by an earlier version, in today's keys: single-speaker models saved
    ``n_speakers: 1`` and ``speaker_channels`` (never used with one speaker)."""
    model = dict(model)
    if model.pop("n_speakers", 1) != 1:
        raise ConfigError("multi-speaker models of version 0.1 (concatenated speaker embeddings) are not supported")
    model.pop("speaker_channels", None)
    return model


def load_acoustic(spec: str | Path, device: str | torch.device = "cpu") -> tuple[GradTTS, Tokenizer, MelConfig]:
    path = resolve_weights(spec)
    try:
        meta = read_metadata(path)
        if meta.get("format", CHECKPOINT_FORMAT) != CHECKPOINT_FORMAT:  # models of version 0.1 have no format
            raise ValueError(f"its format is {meta['format']!r}, not {CHECKPOINT_FORMAT!r}")
        config = meta["config"]
        model_config = from_dict(ModelConfig, upgrade_model_config(config["model"])).check()
        mel_config = from_dict(MelConfig, config["mel"]).check()
        tokenizer = Tokenizer.from_state(meta["tokenizer"])
    except (OSError, KeyError, TypeError, ValueError, ConfigError, SafetensorError) as err:
        raise PretrainedError(f"{path} is not a tts-diffusion acoustic model: {err}") from None
    try:
        model = build_within(lambda: GradTTS(len(tokenizer.table), len(tokenizer.table.languages), mel_config.n_mels,
                                             model_config), "its model config")
    except ValueError as err:
        raise PretrainedError(f"{path}: {err}") from None
    try:
        model.load_state_dict(load_weights(path, device))
    except RuntimeError as err:
        raise PretrainedError(f"{path}: weights do not fit the config: {str(err).splitlines()[0]}") from None
    return model.to(device).eval(), tokenizer, mel_config
