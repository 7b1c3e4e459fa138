"""``load_vocoder(spec)``: Griffin-Lim, a local HiFi-GAN or Vocos, or one from the Hugging Face Hub.

Specs: ``griffinlim[:iterations]``; ``vocos`` (the Vocos shipped with the bundled voices);
``<a Vocos spec>+griffinlim[:iterations]`` (Griffin-Lim started from that Vocos's phase, e.g.
``vocos+griffinlim``); a
folder (``config.json`` + ``generator.safetensors``, an official HiFi-GAN ``g_XXXXXXXX`` checkpoint, or an official Vocos ``pytorch_model.bin`` +
``config.yaml``); a weights file (its config: ``<stem>.json``, ``config.json`` or ``config.yaml``
beside it); ``hf:<repo_id>[:<filename>]`` (``hf_hub_download``, cached, works offline from the
cache; e.g. ``hf:charactr/vocos-mel-24khz``). Pickles are read with ``weights_only=True`` only.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ..audio import MelConfig, griffin_lim_spec
from ..hub import hub_file, parse_spec
from ..model_size import build_within
from ..weights import checkpoint_dirs, read_metadata
from .griffinlim import GriffinLim, VocosGriffinLim
from .hifigan import CHECKPOINT_FORMAT, Generator, HiFiGANConfig, build_generator, read_config
from .vocos import ARCHITECTURE as VOCOS, Vocos, VocosConfig, from_official

HUB_FILES = ("generator.safetensors", "pytorch_model.bin")  # ours, then the official Vocos name
BUNDLED_VOCOS = Path(__file__).parent.parent / "voices" / "vocos"  # ``--vocoder vocos``


class VocoderError(ValueError):
    """A vocoder that cannot be found, read, or does not fit the acoustic model."""


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except SafetensorError as err:
            raise _unreadable(path, err) from None
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 (any unpickling failure means: not loadable safely)
        raise VocoderError(f"cannot read {path} as a weights-only checkpoint: {str(err).splitlines()[0]}") from None
    for key in ("generator", "model", "state_dict"):
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            return data[key]
    return data


def _unreadable(path: Path, err: Exception) -> VocoderError:
    return VocoderError(f"cannot read {path}: {str(err).splitlines()[0]} (a truncated or corrupt file?)")


def _weights_in(folder: Path) -> Path:
    """A training checkpoint's raw weights (``model``; its ``ema`` file is taken only when named),
    a converted ``generator``, an official ``g_*`` checkpoint, or the newest weights file."""
    for pattern in ("generator.safetensors", "model.safetensors", "g_*", "*.safetensors", "*.bin", "*.pt", "*.pth"):
        found = sorted(p for p in folder.glob(pattern) if p.is_file())
        if found:
            return found[-1]
    raise VocoderError(f"no vocoder weights in {folder}")


def _config_for(weights: Path) -> Path:
    for candidate in (weights.with_suffix(".json"), weights.parent / "config.json", weights.parent / "config.yaml"):
        if candidate.is_file():
            return candidate
    raise VocoderError(f"no config for {weights} (expected {weights.with_suffix('.json').name}, config.json or "
                       "config.yaml beside it)")


def _build(config_path: Path, weights: Path):
    """HiFi-GAN (its config.json), our Vocos (config.json naming the architecture) or the official
    Vocos (config.yaml), with the weights."""
    import json

    import yaml

    if config_path.suffix == ".yaml":
        config, state = from_official(yaml.safe_load(config_path.read_text(encoding="utf-8")), read_state_dict(weights))
        return build_vocos(config, state)
    data = json.loads(config_path.read_text(encoding="utf-8"))
    if data.get("architecture") == VOCOS:
        return build_vocos(_vocos_config(data), read_state_dict(weights))
    return build_generator(read_config(config_path), read_state_dict(weights))


def _vocos_config(data: dict) -> VocosConfig:
    """Our Vocos ``config.json`` (the architecture named beside the fields) -> its config."""
    from ..config import from_dict

    return from_dict(VocosConfig, {k: v for k, v in data.items() if k != "architecture"})


def build_vocos(config: VocosConfig, state: dict[str, torch.Tensor]) -> Vocos:
    model = build_within(lambda: Vocos(config), "its Vocos config")
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        raise ValueError(f"Vocos weights do not fit the config: {str(err).splitlines()[0]}") from None
    return model.eval()


def _from_training_run(weights: Path) -> Generator | Vocos | None:
    """The generator of a checkpoint our vocoder trainer wrote, or None for any other file."""
    if weights.suffix != ".safetensors":
        return None
    from safetensors import SafetensorError

    from ..config import from_dict

    try:
        meta = read_metadata(weights)
    except SafetensorError as err:
        raise _unreadable(weights, err) from None
    if meta.get("format") != CHECKPOINT_FORMAT:
        return None
    state = {k[len("generator."):]: v for k, v in read_state_dict(weights).items() if k.startswith("generator.")}
    if meta.get("architecture") == VOCOS:
        return build_vocos(from_dict(VocosConfig, meta["generator_config"]), state)
    return build_generator(from_dict(HiFiGANConfig, meta["generator_config"]), state)


def load_neural_vocoder(path: str | Path) -> Generator | Vocos:
    """A HiFi-GAN or Vocos from a file, a folder of weights + config, or a vocoder training run
    (its newest checkpoint)."""
    path = Path(path)
    if not path.exists():
        raise VocoderError(f"no vocoder at {path}")
    if path.is_dir() and checkpoint_dirs(path):
        path = checkpoint_dirs(path)[-1]
    weights = _weights_in(path) if path.is_dir() else path
    try:
        return _from_training_run(weights) or _build(_config_for(weights), weights)
    except ValueError as err:
        raise VocoderError(str(err)) from None


def hub_download(repo_id: str, filename: str | None) -> Path:
    """Fetch a weights file (default: the first of :data:`HUB_FILES` there is) and its config
    (``<stem>.json``, ``config.json`` or ``config.yaml``, which land beside it in the same snapshot
    folder) from the Hub or its cache."""
    if filename is None:
        found = [(name, hub_file(repo_id, name, VocoderError, optional=True)) for name in HUB_FILES]
        filename, weights = next(((n, w) for n, w in found if w is not None), (HUB_FILES[0], None))
        if weights is None:
            raise VocoderError(f"hf:{repo_id} has none of {', '.join(HUB_FILES)}")
    else:
        weights = hub_file(repo_id, filename, VocoderError)
    for config in (Path(filename).with_suffix(".json").as_posix(), "config.json", "config.yaml"):
        if hub_file(repo_id, config, VocoderError, optional=True) is not None:
            return weights
    raise VocoderError(f"hf:{repo_id} has no config for {filename}")


def default_vocoder(mel_config: MelConfig) -> str:
    """What a model speaks through unless told: Griffin-Lim from the bundled Vocos's phase
    (``vocos+griffinlim``) where that Vocos reads the model's mel, Griffin-Lim from noise elsewhere.
    From Vocos's phase, 16 iterations are heard as 32 are, in less time (docs/vocoders.md)."""
    import json

    bundled = _vocos_config(json.loads((BUNDLED_VOCOS / "config.json").read_text(encoding="utf-8"))).mel_config()
    return "griffinlim" if mel_config.mismatches(bundled) else "vocos+griffinlim"


def load_vocoder(spec: str | None = None, mel_config: MelConfig | None = None):
    """A vocoder for ``spec`` (None: :func:`default_vocoder`); with ``mel_config`` (the acoustic
    model's), a mel mismatch is an error."""
    spec = default_vocoder(mel_config or MelConfig()) if spec is None else spec
    try:
        griffin_lim = griffin_lim_spec(spec)
    except ValueError as err:
        raise VocoderError(str(err)) from None
    if griffin_lim is not None:
        base, iterations = griffin_lim
        if not base:
            return GriffinLim(mel_config or MelConfig(), iterations=iterations)
        vocos = load_vocoder(base, mel_config)
        if not isinstance(vocos, Vocos):
            raise VocoderError(f"{spec}: Griffin-Lim starts from a Vocos's phase, and {base} is not a Vocos")
        return VocosGriffinLim(vocos, iterations)
    if spec == "vocos":
        vocoder = load_neural_vocoder(BUNDLED_VOCOS)
    elif spec.startswith("hf:"):
        vocoder = load_neural_vocoder(hub_download(*parse_spec(spec, None)))
    else:
        vocoder = load_neural_vocoder(spec)
    if mel_config is not None and (diff := mel_config.mismatches(vocoder.mel_config)):
        raise VocoderError(f"the vocoder {spec} expects another mel than the acoustic model "
                           f"(acoustic model vs vocoder: {'; '.join(diff)})")
    return vocoder
