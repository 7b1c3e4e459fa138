"""Corpus readers, filelists, the split, the mel cache, buckets and random segments."""

import numpy as np
import pytest
import torch

from tts_diffusion.audio import MelConfig
from tts_diffusion.data import (
    BucketBatchSampler, CorpusError, TextMelDataset, Utterance, collate, read_filelist, read_kss, read_ljspeech, shard,
    split_train_val, write_filelist,
)
from tts_diffusion.models.layers import cut_segments, random_segment_starts
from tts_diffusion.text import Tokenizer

from conftest import SENTENCES, make_wav


def test_read_ljspeech_uses_normalized_column(ljspeech_dir):
    items = read_ljspeech(ljspeech_dir)
    assert [i.id for i in items] == [s[0] for s in SENTENCES]
    assert items[0].text == SENTENCES[0][1].upper()
    assert read_ljspeech(ljspeech_dir, use_normalized=False)[0].text == SENTENCES[0][1]
    assert all(i.wav_path.is_file() and i.lang == "en" for i in items)


def test_missing_metadata_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="no metadata.csv"):
        read_ljspeech(tmp_path)


def test_filelist_roundtrip_with_relative_paths(ljspeech_dir, tmp_path):
    items = read_ljspeech(ljspeech_dir)
    write_filelist(ljspeech_dir / "all.txt", items)
    assert (ljspeech_dir / "all.txt").read_text().startswith("wavs/LJ001-0001.wav|en|")
    moved = tmp_path / "moved"
    ljspeech_dir.rename(moved)
    back = read_filelist(moved / "all.txt")
    assert [(b.id, b.text, b.lang) for b in back] == [(i.id, i.text, i.lang) for i in items]
    assert all(b.wav_path.is_file() for b in back)


def test_bad_filelist_line_names_the_line(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("a.wav|ko|안녕\nbroken line\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="list.txt:2"):
        read_filelist(path)


def test_split_is_deterministic_and_stable_when_corpus_grows():
    items = [Utterance(f"u{i}", None, "x", "ko") for i in range(200)]
    train, val = split_train_val(items, 10, seed=3)
    assert len(val) == 10 and len(train) == 190
    assert not {t.id for t in train} & {v.id for v in val}
    assert split_train_val(items, 10, seed=3) == (train, val)
    assert split_train_val(items, 10, seed=4)[1] != val
    grown = items + [Utterance(f"new{i}", None, "x", "ko") for i in range(5)]
    _, val_grown = split_train_val(grown, 10, seed=3)
    assert len({v.id for v in val_grown} & {v.id for v in val}) >= 5


def test_read_kss_transcript_format(tmp_path):
    make_wav(tmp_path / "kss" / "1" / "1_0000.wav", 0.3)
    (tmp_path / "transcript.v.1.4.txt").write_text(
        "1/1_0000.wav|그는 3개를 샀다.|그는 세 개를 샀다.|그는|1.2|He bought three.\n", encoding="utf-8")
    [item] = read_kss(tmp_path)
    assert item.text == "그는 세 개를 샀다." and item.lang == "ko" and item.wav_path.is_file()


def test_dataset_items_and_mel_cache(ljspeech_dir, tmp_path):
    items = read_ljspeech(ljspeech_dir)
    cache = tmp_path / "cache"
    data = TextMelDataset(items, Tokenizer(), MelConfig(), cache_dir=cache)
    first = data[2]
    assert first["mel"].shape == (80, int((0.5 + 0.25 * 2) * 22050) // 256)
    assert len(first["ids"]) == len(first["langs"]) > 10
    cached = sorted(cache.glob("*.npy"))
    assert len(cached) == 1
    np.save(cached[0], np.zeros((80, 3), dtype=np.float32))  # a poisoned cache entry is what gets read
    assert data.mel(items[2]).shape == (80, 3)
    make_wav(items[2].wav_path, 0.4, seed=9)  # a changed file gets a new cache key
    assert data.mel(items[2]).shape == (80, int(0.4 * 22050) // 256)


def test_collate_pads_and_keeps_lengths(ljspeech_dir):
    data = TextMelDataset(read_ljspeech(ljspeech_dir), Tokenizer(), MelConfig())
    batch = collate([data[0], data[3]])
    assert batch["mels"].shape[0] == 2 and batch["mels"].shape[2] == max(batch["mel_lengths"])
    short = int(batch["mel_lengths"].argmin())
    own = data[3 if short else 0]["mel"]
    assert torch.equal(batch["mels"][short, :, : own.shape[-1]], own)
    assert torch.all(batch["mels"][short, :, batch["mel_lengths"][short]:] == own.min())  # its own silence
    assert torch.all(batch["ids"][short, batch["token_lengths"][short]:] == 0)
    assert torch.equal(batch["ids"][short, : batch["token_lengths"][short]], data[3 if short else 0]["ids"])


def test_bucket_sampler_groups_lengths_and_is_deterministic():
    lengths = list(np.random.default_rng(0).integers(10, 1000, size=400))
    sampler = BucketBatchSampler(lengths, batch_size=8, seed=1, window=10)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(400))
    spread = np.mean([max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches])
    assert spread < 100  # random batches would spread over ~700 frames
    assert list(BucketBatchSampler(lengths, 8, seed=1, window=10)) == batches
    sampler.set_epoch(1)
    assert list(sampler) != batches


def test_bucket_sampler_splits_batches_between_ranks():
    lengths = list(range(100))
    ranks = [list(BucketBatchSampler(lengths, 4, seed=0, num_replicas=2, rank=r)) for r in (0, 1)]
    assert len(ranks[0]) == len(ranks[1])
    seen = [i for r in ranks for b in r for i in b]
    assert len(seen) == len(set(seen))


def test_shard_gives_every_rank_as_many_batches_and_no_batch_twice():
    batches = list(range(11))
    shards = [shard(batches, rank, 3) for rank in range(3)]
    assert shards == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]  # 9 and 10 would give two ranks an extra step
    assert shard(batches, 0, 1) == batches


def test_random_segments_stay_inside_each_item():
    lengths = torch.tensor([50, 172, 400, 10])
    g = torch.Generator().manual_seed(0)
    starts = torch.stack([random_segment_starts(lengths, 172, g) for _ in range(500)])
    assert torch.all(starts[:, :2] == 0) and torch.all(starts[:, 3] == 0)
    assert starts[:, 2].min() >= 0 and starts[:, 2].max() <= 400 - 172
    assert len(set(starts[:, 2].tolist())) > 100  # spread over the room
    x = torch.arange(2 * 400.0).reshape(1, 2, 400).repeat(4, 1, 1)
    cut = cut_segments(x, starts[0], 172)
    assert cut.shape == (4, 2, 172)
    assert torch.equal(cut[2], x[2, :, starts[0, 2]:starts[0, 2] + 172])


def test_several_filelists_read_as_one_corpus(tmp_path):
    from tts_diffusion.data import CorpusError, read_filelists

    for name, speaker in (("a", "ko-a"), ("b", "en-b")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.txt").write_text(f"wavs/{name}1.wav|{speaker}|ko|하나\nwavs/{name}2.wav|{speaker}|ko|둘\n")
    items = read_filelists([str(tmp_path / "a" / "train.txt"), str(tmp_path / "b" / "train.txt")])
    assert [(i.id, i.speaker) for i in items] == [("a1", "ko-a"), ("a2", "ko-a"), ("b1", "en-b"), ("b2", "en-b")]
    assert items[2].wav_path == tmp_path / "b" / "wavs" / "b1.wav"  # each relative to its own filelist
    assert read_filelists("") == [] and read_filelists(str(tmp_path / "a" / "train.txt"))[0].id == "a1"
    with pytest.raises(CorpusError, match="c/train.txt does not exist"):
        read_filelists([str(tmp_path / "a" / "train.txt"), str(tmp_path / "c" / "train.txt")])
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(CorpusError, match="lists no utterance"):
        read_filelists([str(tmp_path / "empty.txt")])
