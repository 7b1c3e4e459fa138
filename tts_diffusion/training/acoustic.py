"""Train the acoustic model:  python -m tts_diffusion.train RECIPE.yaml [key.sub=value ...]

Runs resume from the newest checkpoint in ``run_dir``; Ctrl-C (or SIGTERM) saves one and exits.
Multi-GPU / multi-process: ``torchrun --nproc_per_node N -m tts_diffusion.train RECIPE.yaml``.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..audio import AudioError, MelConfig
from ..config import ConfigError, to_dict
from ..data import BucketBatchSampler, CorpusError, TextMelDataset, collate, read_filelists
from ..models.tts import CHECKPOINT_FORMAT, GradTTS, ModelConfig
from ..text import Tokenizer
from ..weights import checkpoint_dirs
from .command import run_training
from .loop import LoopConfig, Trainer, check_replicas, setup, teardown

log = logging.getLogger("tts_diffusion.train")


@dataclass
class DataConfig:
    train_filelist: str | list[str] = ""  # one filelist, or several (corpora of different voices) read as one
    val_filelist: str | list[str] = ""
    cache_dir: str = ""
    batch_size: int = 16
    num_workers: int = 0
    max_frames: int = 1000  # longer utterances are left out of training
    add_blank: bool = True
    resample: bool = False  # False: a file at another sample rate is skipped, with its name logged


@dataclass
class ValidationConfig:
    text: str = "오늘 서울의 기온은 영하 3도입니다."
    method: str = "ode"
    steps: int = 10
    vocoder: str = "griffinlim"
    max_batches: int = 4


@dataclass
class TrainConfig:
    run_dir: str = "runs/default"
    init_from: str = ""  # a model spec (file, run or checkpoint folder, voice folder, hf:) to fine-tune from
    mel: MelConfig = field(default_factory=MelConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: LoopConfig = field(default_factory=LoopConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)


class SkippingDataset(TextMelDataset):
    """Items whose audio or text cannot be used become None (and are counted), with one log line
    naming the file, instead of stopping the run."""

    def __init__(self, *args, resample: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.resample = resample
        self.bad: set[int] = set()

    def __getitem__(self, index):
        item = self.items[index]
        try:
            if not self.resample:
                import soundfile as sf

                rate = sf.info(str(item.wav_path)).samplerate
                if rate != self.mel_config.sample_rate:
                    raise AudioError(f"{item.wav_path} is at {rate} Hz, the recipe's mel is at "
                                     f"{self.mel_config.sample_rate} Hz (set data.resample=true to resample)")
            return super().__getitem__(index)
        except (AudioError, ValueError, RuntimeError) as err:
            if index not in self.bad:
                self.bad.add(index)
                log.warning("skipping %s: %s", item.wav_path, err)
            return None


def collate_usable(batch):
    usable = [b for b in batch if b is not None]
    return collate(usable) if usable else None


def build_model(config: TrainConfig, tokenizer: Tokenizer) -> GradTTS:
    table = tokenizer.table
    return GradTTS(len(table), len(table.languages), config.mel.n_mels, config.model)


def initialize_from(model: GradTTS, spec: str, config: TrainConfig, tokenizer: Tokenizer) -> None:
    """Start from another model's (EMA) weights. Its mel and model config must be this run's, and its
    symbol table this run's or a prefix of it: the embeddings of appended symbols keep their fresh init."""
    from ..pretrained import load_acoustic

    source, source_tokenizer, source_mel = load_acoustic(spec)
    if source_tokenizer.add_blank != tokenizer.add_blank or not tokenizer.table.extends(source_tokenizer.table):
        raise ConfigError(f"init_from {spec}: its symbol table (v{source_tokenizer.table.version}) is not this "
                          f"run's (v{tokenizer.table.version}) or a prefix of it, or add_blank differs")
    if source_mel != config.mel:
        raise ConfigError(f"init_from {spec}: its mel config {source_mel} differs from the recipe's {config.mel}")
    source_voices = [v.name for v in source.config.voices]
    if source_voices != [v.name for v in config.model.voices][: len(source_voices)]:
        raise ConfigError(f"init_from {spec}: its voices {source_voices} are not the first of the recipe's voices")
    state = source.state_dict()
    fresh = model.state_dict()
    # appended symbols and voices keep their fresh rows
    for key in ("encoder.embedding.weight", "speaker_encoder.weight", "speaker_decoder.weight"):
        if key in fresh:
            old = state.get(key, fresh[key][:0])
            state[key] = torch.cat([old, fresh[key][len(old):]])
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        raise ConfigError(f"init_from {spec}: weights do not fit the model: {str(err).splitlines()[0]}") from None


def checkpoint_metadata(config: TrainConfig, tokenizer: Tokenizer) -> dict[str, object]:
    return {"format": CHECKPOINT_FORMAT, "config": to_dict(config), "tokenizer": tokenizer.state()}


def loss_fn(model, batch, generator, shared=None):
    device = next(model.parameters()).device
    b = {k: v.to(device) for k, v in batch.items()}
    return model(b["ids"], b["langs"], b["token_lengths"], b["mels"], b["mel_lengths"], b["speakers"],
                 generator=generator)


def make_datasets(config: TrainConfig, tokenizer: Tokenizer):
    data = config.data
    if not data.train_filelist:
        raise ConfigError("data.train_filelist is not set")
    sets = []
    for paths in (data.train_filelist, data.val_filelist):
        items = read_filelists(paths)
        sets.append(SkippingDataset(items, tokenizer, config.mel, data.cache_dir or None, resample=data.resample,
                                    speakers=[v.name for v in config.model.voices]) if items else None)
    return sets


def usable_items(dataset: TextMelDataset, config: TrainConfig, world_size: int) -> tuple[list[int], list[int]]:
    """Indices of the utterances to train on (readable audio within data.max_frames) and every
    utterance's length in frames. Unreadable ones are named (the first few) and counted before
    batching; too few for one batch per process is an error, not an epoch without batches."""
    lengths = frame_lengths(dataset, config.mel.hop_length)
    unreadable = [i for i, n in enumerate(lengths) if n == 0]
    for i in unreadable[:10]:
        log.warning("skipping %s: the audio cannot be read", dataset.items[i].wav_path)
    if unreadable:
        log.warning("%d of %d training utterances have unreadable audio and are left out", len(unreadable), len(lengths))
    keep = [i for i, n in enumerate(lengths) if 0 < n <= config.data.max_frames]
    needed = config.data.batch_size * world_size
    if len(keep) < needed:
        where = f" ({world_size} processes)" if world_size > 1 else ""
        raise CorpusError(f"{len(keep)} usable training utterances of {len(lengths)} (readable, at most "
                          f"data.max_frames={config.data.max_frames} frames), fewer than one batch of {needed}{where}")
    return keep, lengths


def frame_lengths(dataset: TextMelDataset, hop: int) -> list[int]:
    """Frames per utterance from the audio headers (no decoding)."""
    import soundfile as sf

    lengths = []
    for item in dataset.items:
        try:
            info = sf.info(str(item.wav_path))
            lengths.append(int(info.frames * dataset.mel_config.sample_rate / info.samplerate) // hop)
        except (RuntimeError, OSError):
            lengths.append(0)  # unreadable: kept, and skipped with a message when loaded
    return lengths


def train(config: TrainConfig) -> str:
    try:
        config.model.check(), config.mel.check()
    except ValueError as err:
        raise ConfigError(str(err)) from None
    device, dist = setup(config.train)
    try:
        tokenizer = Tokenizer(add_blank=config.data.add_blank)
        train_set, val_set = make_datasets(config, tokenizer)
        keep, lengths = usable_items(train_set, config, dist.world_size)
        sampler = BucketBatchSampler([lengths[i] for i in keep], config.data.batch_size, seed=config.train.seed,
                                     num_replicas=dist.world_size, rank=dist.rank, drop_last=True)

        def make_batches(epoch: int, start: int):
            sampler.set_epoch(epoch)
            batches = [[keep[i] for i in b] for b in list(sampler)[start:]]
            # its own generator: making a loader must not draw from the global RNG, or resume would not be exact
            loader = torch.utils.data.DataLoader(train_set, batch_sampler=batches, collate_fn=collate_usable,
                                                 num_workers=config.data.num_workers,
                                                 generator=torch.Generator().manual_seed(config.train.seed + epoch))
            for batch in loader:
                if batch is None:
                    raise CorpusError("a whole batch had no usable utterance: check the filelist and the audio")
                yield batch

        model = build_model(config, tokenizer)
        if config.init_from and not checkpoint_dirs(config.run_dir):  # a run that has checkpoints resumes from them
            initialize_from(model, config.init_from, config, tokenizer)
        Path(config.run_dir).mkdir(parents=True, exist_ok=True)
        trainer = Trainer(config.run_dir, model, config.train, device, dist, checkpoint_metadata(config, tokenizer))
        trainer.resume()
        if dist.main:
            n_enc = sum(p.numel() for p in model.encoder.parameters())
            n_dec = sum(p.numel() for p in model.decoder.parameters())
            log.info("encoder %.2f M, decoder %.2f M parameters; %d training utterances", n_enc / 1e6, n_dec / 1e6,
                     len(keep))
        from .validation import validate_acoustic

        result = trainer.fit(loss_fn, make_batches, lambda t: validate_acoustic(t, config, tokenizer, val_set))
        check_replicas(model, dist)
        if train_set.bad:
            log.warning("%d training utterances were skipped (see the lines above)", len(train_set.bad))
        return result
    finally:
        teardown(dist)


def main(argv: list[str] | None = None) -> int:
    return run_training("python -m tts_diffusion.train", __doc__.split("\n\n")[0], TrainConfig, train, argv)


if __name__ == "__main__":
    sys.exit(main())
