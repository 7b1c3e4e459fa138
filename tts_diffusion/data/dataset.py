"""Text-mel pairs for training: a dataset with an on-disk mel cache, length buckets, padding,
and the random segments Grad-TTS trains its decoder on (``out_size``)."""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from ..audio import AudioError, MelConfig, training_audio

from ..spectrogram import MelSpectrogram
from ..files import atomic_save_npy
from ..text import Tokenizer, pad_tokens
from .corpus import CorpusError, Utterance

log = logging.getLogger(__name__)


class TextMelDataset(torch.utils.data.Dataset):
    """Item i: symbol ids, their language ids, and the log-mel (n_mels, frames) of utterance i.

    Mels are cached as ``.npy`` under ``cache_dir``, keyed by the audio file, its size and mtime,
    and the mel config, so a changed file or config never reads a stale mel.
    """

    def __init__(self, items: list[Utterance], tokenizer: Tokenizer, mel_config: MelConfig,
                 cache_dir: str | Path | None = None, speakers: list[str] | None = None):
        self.items = items
        self.speakers = speakers or []
        unknown = sorted({i.speaker for i in items} - set(self.speakers) - {""})
        if unknown and self.speakers:
            raise CorpusError(f"speakers {', '.join(unknown)} of the filelist are not among the model's voices "
                              f"({', '.join(self.speakers)})")
        self.tokenizer = tokenizer
        self.mel_config = mel_config
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._mel = MelSpectrogram(mel_config)
        self._tokens: dict[int, tuple[list[int], list[int]]] = {}

    def __len__(self) -> int:
        return len(self.items)

    def _cache_path(self, item: Utterance) -> Path | None:
        if self.cache_dir is None:
            return None
        stat = item.wav_path.stat()
        key = f"{item.wav_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{sorted(asdict(self.mel_config).items())}"
        return self.cache_dir / f"{item.id}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.npy"

    def mel(self, item: Utterance) -> torch.Tensor:
        if not item.wav_path.is_file():
            raise AudioError(f"missing audio file {item.wav_path}")
        cache = self._cache_path(item)
        if cache is not None and cache.is_file():
            return torch.from_numpy(np.load(cache))
        audio = torch.from_numpy(training_audio(item.wav_path, self.mel_config.sample_rate))
        with torch.no_grad():
            mel = self._mel(audio)
        if cache is not None:
            atomic_save_npy(cache, mel.numpy())
        return mel

    def tokens(self, index: int) -> tuple[list[int], list[int]]:
        if index not in self._tokens:
            item = self.items[index]
            encoded = self.tokenizer.encode(item.text, item.lang)
            self._tokens[index] = (encoded.ids, encoded.langs)
        return self._tokens[index]

    def speaker_id(self, item: Utterance) -> int:
        """The voice's index in the model (0 for a single-speaker model or an unnamed speaker)."""
        return self.speakers.index(item.speaker) if item.speaker in self.speakers else 0

    def __getitem__(self, index: int) -> dict:
        ids, langs = self.tokens(index)
        item = self.items[index]
        return {"ids": torch.tensor(ids), "langs": torch.tensor(langs), "mel": self.mel(item),
                "speaker": self.speaker_id(item), "index": index}


def collate(batch: list[dict]) -> dict:
    """Pad to the longest item: ids/langs (B, T) with 0 (:func:`pad_tokens`), mels (B, n_mels, F)
    with each item's own quietest value (padding is masked out of every loss)."""
    ids, langs, token_lengths = map(torch.from_numpy, pad_tokens([b["ids"] for b in batch], [b["langs"] for b in batch]))
    mel_lengths = torch.tensor([b["mel"].shape[-1] for b in batch])
    mels = torch.stack([F.pad(b["mel"], (0, int(mel_lengths.max()) - b["mel"].shape[-1]), value=float(b["mel"].min()))
                        for b in batch])
    return {"ids": ids, "langs": langs, "token_lengths": token_lengths, "mels": mels, "mel_lengths": mel_lengths,
            "speakers": torch.tensor([b.get("speaker", 0) for b in batch]),
            "index": torch.tensor([b["index"] for b in batch])}


def shard(batches: list, rank: int, world_size: int) -> list:
    """Rank ``rank``'s share of an epoch's batches under DDP: every ``world_size``-th batch, from a
    list cut to a multiple of ``world_size`` so that every rank takes as many steps (or DDP hangs)."""
    usable = len(batches) - len(batches) % world_size
    return batches[rank:usable:world_size]


class BucketBatchSampler(torch.utils.data.Sampler):
    """Batches of similar length: shuffle, sort within windows of ``batch_size * window`` items by
    length, cut into batches, shuffle the batches. Deterministic given (seed, epoch); with
    ``num_replicas > 1`` each rank takes every ``num_replicas``-th batch (DDP)."""

    def __init__(self, lengths: list[int], batch_size: int, seed: int = 0, window: int = 20,
                 shuffle: bool = True, num_replicas: int = 1, rank: int = 0, drop_last: bool = False):
        self.lengths, self.batch_size, self.seed, self.window = list(lengths), batch_size, seed, window
        self.shuffle, self.num_replicas, self.rank, self.drop_last = shuffle, num_replicas, rank, drop_last
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _batches(self) -> list[list[int]]:
        rng = random.Random(self.seed * 100003 + self.epoch)
        order = list(range(len(self.lengths)))
        if self.shuffle:
            rng.shuffle(order)
        span = self.batch_size * self.window
        batches = []
        for start in range(0, len(order), span):
            window = sorted(order[start:start + span], key=lambda i: self.lengths[i])
            batches += [window[i:i + self.batch_size] for i in range(0, len(window), self.batch_size)]
        if self.drop_last:
            batches = [b for b in batches if len(b) == self.batch_size]
        if self.shuffle:
            rng.shuffle(batches)
        return shard(batches, self.rank, self.num_replicas)

    def __iter__(self):
        return iter(self._batches())

    def __len__(self) -> int:
        return len(self._batches())
