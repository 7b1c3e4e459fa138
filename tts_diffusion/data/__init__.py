"""Corpora, filelists and the training dataset."""

from .corpus import (CorpusError, Utterance, read_filelist, read_filelists, read_kss, read_ljspeech, split_train_val, write_filelist,
                     write_split)
from .dataset import BucketBatchSampler, TextMelDataset, collate, shard

__all__ = [
    "CorpusError", "Utterance", "read_filelist", "read_filelists", "read_kss", "read_ljspeech", "split_train_val", "write_filelist",
    "write_split",
    "BucketBatchSampler", "TextMelDataset", "collate", "shard",
]
