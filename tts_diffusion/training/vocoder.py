"""Train a GAN vocoder:  python -m tts_diffusion.vocoder.train RECIPE.yaml [key=value ...]

``architecture: hifigan`` (HiFi-GAN's generator, multi-period + multi-scale discriminators) or
``architecture: vocos`` (Vocos's Fourier-domain generator, multi-period + multi-resolution
discriminators, as in its paper). Random segments of the training audio, their mels as input; a
discriminator phase then a generator phase each step (mel L1 x 45 + feature matching x 2 +
adversarial), on the same trainer
as the acoustic model (checkpoints, exact resume, Ctrl-C, TensorBoard, tqdm). ``init_from`` starts
from any vocoder spec (e.g. official weights) to fine-tune. Several processes or GPUs:
``torchrun --nproc_per_node N -m tts_diffusion.vocoder.train RECIPE.yaml``.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from ..audio import AudioError, training_audio

from ..spectrogram import MelSpectrogram
from ..config import ConfigError, to_dict
from ..data import CorpusError, read_filelists, shard
from ..models.layers import cut_segments, random_segment_starts
from .discriminators import Discriminators, discriminator_loss, feature_matching_loss, generator_loss
from ..vocoder.hifigan import CHECKPOINT_FORMAT, Generator, HiFiGANConfig
from ..vocoder.vocos import Vocos, VocosConfig
from .command import run_training
from .loop import LoopConfig, Trainer, check_replicas, setup, teardown

log = logging.getLogger("tts_diffusion.train")


@dataclass
class VocoderDataConfig:
    train_filelist: str | list[str] = ""  # one filelist, or several (corpora of different voices) read as one
    val_filelist: str | list[str] = ""
    batch_size: int = 16
    segment_size: int = 8192
    num_workers: int = 0
    predicted_mels: str = ""  # a folder of <id>.npy mels from predict_mels: fine-tune on the acoustic model's mels


@dataclass
class VocoderTrainConfig:
    run_dir: str = "runs/hifigan"
    architecture: str = "hifigan"  # or "vocos"
    generator: HiFiGANConfig = field(default_factory=HiFiGANConfig)  # with architecture: hifigan
    vocos: VocosConfig = field(default_factory=VocosConfig)  # with architecture: vocos
    discriminator_scale: float = 1.0  # channel widths of the discriminators relative to HiFi-GAN's
    lambda_mel: float = 45.0
    lambda_fm: float = 2.0
    init_from: str = ""  # a vocoder spec to fine-tune from
    init_discriminators_from: str = ""  # a checkpoint of a run (its model.safetensors): trained critics from the start
    data: VocoderDataConfig = field(default_factory=VocoderDataConfig)
    train: LoopConfig = field(default_factory=lambda: LoopConfig(lr=2e-4, betas=[0.8, 0.99], lr_decay=0.999,
                                                                 ema_decay=0.999, grad_clip=1000.0))


def generator_config(config: VocoderTrainConfig) -> HiFiGANConfig | VocosConfig:
    if config.architecture not in ("hifigan", "vocos"):
        raise ValueError(f"unknown vocoder architecture {config.architecture!r}: choose hifigan or vocos")
    return config.vocos if config.architecture == "vocos" else config.generator


def initialize_discriminators_from(model: GANVocoderTraining, checkpoint: str) -> None:
    """The discriminators start as those of a run's checkpoint folder (or its model.safetensors): a
    fine-tune whose critics are new spends its first thousand steps losing naturalness while they
    learn (docs/vocoders.md)."""
    from safetensors import SafetensorError

    from ..weights import load_weights

    path = Path(checkpoint)
    path = path / "model.safetensors" if path.is_dir() else path
    prefix = "discriminators."
    try:
        state = {k[len(prefix):]: v for k, v in load_weights(path).items() if k.startswith(prefix)}
        model.discriminators.load_state_dict(state)
    except (OSError, RuntimeError, SafetensorError) as err:
        detail = str(err).strip().splitlines()[-1].strip()
        raise ConfigError(f"init_discriminators_from {checkpoint}: not a checkpoint of this recipe's "
                          f"discriminators ({detail[:160]})") from None


class GANVocoderTraining(nn.Module):
    """Generator, discriminators, the input mel and the (full-band) mel of the loss."""

    def __init__(self, config: VocoderTrainConfig):
        super().__init__()
        self.generator = Vocos(config.vocos) if config.architecture == "vocos" else Generator(config.generator)
        self.discriminators = Discriminators(scale=config.discriminator_scale, kind=config.architecture)
        mel = generator_config(config).mel_config()
        self.mel_in = MelSpectrogram(mel)
        self.mel_loss = MelSpectrogram(dataclasses.replace(mel, fmax=mel.sample_rate / 2))
        self.lambda_mel, self.lambda_fm = config.lambda_mel, config.lambda_fm
        self.segment = config.data.segment_size

    def replicated(self, device_ids: list[int] | None) -> "GANVocoderTraining":
        """For DDP: a view sharing this model's parameters whose generator and discriminators are
        each wrapped in DistributedDataParallel. One wrapper per network, because a GAN step runs
        the generator forward in the discriminator phase and its backward in the generator phase."""
        view = copy.copy(self)
        view._modules = {**self._modules, "generator": DDP(self.generator, device_ids=device_ids),
                         "discriminators": DDP(self.discriminators, device_ids=device_ids)}
        return view


class AudioDataset(torch.utils.data.Dataset):
    """Audio of each utterance, and with ``mel_dir`` the acoustic model's mel of it (``<id>.npy``)."""

    def __init__(self, items, sample_rate: int, mel_dir: str = ""):
        self.items, self.sample_rate, self.mel_dir = items, sample_rate, Path(mel_dir) if mel_dir else None

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        item = self.items[index]
        try:
            out = {"audio": torch.from_numpy(training_audio(item.wav_path, self.sample_rate))}
            if self.mel_dir is not None:
                out["mel"] = torch.from_numpy(np.load(self.mel_dir / f"{item.id}.npy"))
            return out
        except (AudioError, OSError) as err:
            log.warning("skipping %s: %s", item.wav_path, err)
            return None


def collate_audio(batch):
    batch = [b for b in batch if b is not None]
    lengths = torch.tensor([len(b["audio"]) for b in batch])
    out = {"audio": torch.zeros(len(batch), int(lengths.max())), "lengths": lengths}
    for i, b in enumerate(batch):
        out["audio"][i, : len(b["audio"])] = b["audio"]
    if "mel" in batch[0]:
        out["mel_lengths"] = torch.tensor([b["mel"].shape[-1] for b in batch])
        out["mels"] = torch.full((len(batch), batch[0]["mel"].shape[0], int(out["mel_lengths"].max())), -11.5129)
        for i, b in enumerate(batch):
            out["mels"][i, :, : b["mel"].shape[-1]] = b["mel"]
    return out


def training_pair(model, batch, generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A random segment of each utterance: (input mel, target audio (batch, 1, samples)). The
    mel is the target's own, or the acoustic model's prediction of it when the batch has one."""
    if "mels" not in batch:
        starts = random_segment_starts(batch["lengths"], model.segment, generator)
        y = cut_segments(batch["audio"][:, None, :], starts, model.segment)
        return model.mel_in(y[:, 0]), y
    hop = model.mel_in.config.hop_length
    frames = model.segment // hop
    starts = random_segment_starts(batch["mel_lengths"], frames, generator)
    return cut_segments(batch["mels"], starts, frames), cut_segments(batch["audio"][:, None, :], starts * hop, frames * hop)


def discriminator_phase(model, batch, generator, shared):
    mel, y = training_pair(model, batch, generator)
    y_hat = model.generator(mel).unsqueeze(1)
    shared.update(y=y, y_hat=y_hat)
    real, _ = model.discriminators(y)
    fake, _ = model.discriminators(y_hat.detach())
    return {"discriminator": discriminator_loss(real, fake)}


def generator_phase(model, batch, generator, shared):
    y, y_hat = shared["y"], shared["y_hat"]
    _, real_features = model.discriminators(y)
    fake, fake_features = model.discriminators(y_hat)
    mel = F.l1_loss(model.mel_loss(y_hat[:, 0]), model.mel_loss(y[:, 0]))
    return {"mel": model.lambda_mel * mel, "adversarial": generator_loss(fake),
            "feature_matching": model.lambda_fm * feature_matching_loss(real_features, fake_features)}


def initialize_from(model: GANVocoderTraining, spec: str, config: VocoderTrainConfig) -> None:
    """The generator starts from the weights of the vocoder ``spec`` (official weights, the bundled
    Vocos, a run); the discriminators start anew. A vocoder of another mel, architecture or size is
    a ConfigError naming what differs. A ``mel_residual`` Vocos from a ``predicted`` one starts from
    the mel's own magnitude and the source's phase (:meth:`~tts_diffusion.vocoder.vocos.Vocos.start_magnitude_from_mel`)."""
    from ..vocoder.load import load_vocoder

    source = load_vocoder(spec, generator_config(config).mel_config())
    try:
        model.generator.load_state_dict(source.state_dict())
    except RuntimeError as err:
        detail = str(err).strip().splitlines()[-1].strip()
        raise ConfigError(f"init_from {spec}: its weights do not fit the recipe's {config.architecture} generator "
                          f"({detail[:160]})") from None
    if isinstance(source, Vocos) and (source.config.magnitude, config.vocos.magnitude) == ("predicted", "mel_residual"):
        model.generator.start_magnitude_from_mel()


@torch.no_grad()
def validate(trainer: Trainer, val_set: AudioDataset | None) -> None:
    if val_set is None or not len(val_set) or val_set[0] is None:
        return
    model = trainer.model
    model.eval()
    audio = val_set[0]["audio"][None].to(trainer.device)
    mel = model.mel_in(audio)
    fake = model.generator(mel)
    trainer.log_scalars("val", {"mel_l1": F.l1_loss(model.mel_loss(fake), model.mel_loss(audio)).item()})
    if trainer.writer is not None:
        trainer.writer.add_audio("val/audio", fake[:1].cpu(), trainer.step, sample_rate=val_set.sample_rate)
    model.train()


def train(config: VocoderTrainConfig) -> str:
    device, dist = setup(config.train)
    try:
        if not config.data.train_filelist:
            raise CorpusError("filelist (data.train_filelist) does not exist")
        rate = generator_config(config).mel_config().sample_rate
        train_set = AudioDataset(read_filelists(config.data.train_filelist), rate, config.data.predicted_mels)
        val_items = read_filelists(config.data.val_filelist)
        val_set = AudioDataset(val_items, rate) if val_items else None
        model = GANVocoderTraining(config)
        if config.init_from:
            initialize_from(model, config.init_from, config)
        if config.init_discriminators_from:
            initialize_discriminators_from(model, config.init_discriminators_from)
        phases = {"discriminator": list(model.discriminators.parameters()), "generator": list(model.generator.parameters())}
        metadata = {"format": CHECKPOINT_FORMAT, "config": to_dict(config), "architecture": config.architecture,
                    "generator_config": to_dict(generator_config(config))}
        trainer = Trainer(config.run_dir, model, config.train, device, dist, metadata, phases,
                          replicate=lambda m, ids: m.replicated(ids))
        trainer.resume()

        def make_batches(epoch: int, start: int):
            order = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(config.train.seed + epoch))
            size = config.data.batch_size
            batches = [order[i:i + size].tolist() for i in range(0, len(order) - size + 1, size)]
            batches = shard(batches, dist.rank, dist.world_size)[start:]
            yield from torch.utils.data.DataLoader(train_set, batch_sampler=batches, collate_fn=collate_audio,
                                                   num_workers=config.data.num_workers,
                                                   generator=torch.Generator().manual_seed(config.train.seed + epoch))

        result = trainer.fit({"discriminator": discriminator_phase, "generator": generator_phase}, make_batches,
                             lambda t: validate(t, val_set))
        check_replicas(model, dist)
        return result
    finally:
        teardown(dist)


def main(argv: list[str] | None = None) -> int:
    return run_training("python -m tts_diffusion.vocoder.train", __doc__.split("\n\n")[0], VocoderTrainConfig, train, argv)


if __name__ == "__main__":
    sys.exit(main())
