"""The training loop: device and DDP set-up, exact resume, EMA, clipping, NaN guard, signals,
tqdm, TensorBoard and checkpoints. What a step computes is the caller's ``loss_fn``."""

from __future__ import annotations

import logging
import math
import os
import random
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch
from torch import nn

from ..weights import checkpoint_dirs, load_weights
from .checkpoint import load_state, remove_partial_checkpoints, save_checkpoint
from .ema import EMA

log = logging.getLogger("tts_diffusion.train")


class TrainingError(RuntimeError):
    """A run that has to stop; the message says why."""


@dataclass
class LoopConfig:
    max_steps: int = 100_000
    lr: float = 1e-4
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    weight_decay: float = 0.0
    lr_decay: float = 1.0  # learning rate multiplied by this after every epoch
    grad_clip: float = 1.0
    ema_decay: float = 0.999
    log_every: int = 50
    val_every: int = 1000
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    max_bad_steps: int = 20  # consecutive non-finite losses before the run stops
    seed: int = 1234
    device: str = "auto"
    amp: bool = True  # bf16 autocast of the losses' forward pass on CUDA (weights and optimizer stay fp32)
    amp_cpu: bool = False  # with amp, autocast on the CPU too (slower than fp32 on most CPUs; it tests the path)
    threads: int = 0  # torch CPU threads; 0 leaves torch's default


@dataclass
class Distributed:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


def setup(config: LoopConfig) -> tuple[torch.device, Distributed]:
    """Pick the device and join the process group when launched by torchrun (NCCL on GPU, gloo on CPU)."""
    dist = Distributed(int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)),
                       int(os.environ.get("LOCAL_RANK", 0)))
    wanted = config.device
    if wanted == "auto":
        wanted = "cuda" if torch.cuda.is_available() else "cpu"
    if wanted.startswith("cuda") and not torch.cuda.is_available():
        raise TrainingError(f"device {config.device!r} asked for, but CUDA is not available")
    device = torch.device(f"cuda:{dist.local_rank}" if wanted == "cuda" and dist.world_size > 1 else wanted)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if config.threads:
        torch.set_num_threads(config.threads)
    if dist.world_size > 1:
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
    seed = config.seed + dist.rank
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return device, dist


def replicas_agree(model: nn.Module, dist: Distributed) -> bool:
    """True when every rank holds the same parameters (max minus min across ranks is zero)."""
    if dist.world_size == 1:
        return True
    flat = torch.cat([p.detach().float().reshape(-1) for p in model.parameters()])
    high, low = flat.clone(), flat.clone()
    torch.distributed.all_reduce(high, op=torch.distributed.ReduceOp.MAX)
    torch.distributed.all_reduce(low, op=torch.distributed.ReduceOp.MIN)
    return bool(torch.equal(high, low))


def check_replicas(model: nn.Module, dist: Distributed) -> None:
    """After multi-process training: every rank must hold the same weights (else TrainingError)."""
    if dist.world_size == 1:
        return
    if not replicas_agree(model, dist):
        raise TrainingError("parameters differ between ranks after training")
    if dist.main:
        log.info("parameters identical across %d ranks", dist.world_size)


def teardown(dist: Distributed) -> None:
    if dist.world_size > 1 and torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


LossFn = Callable[[nn.Module, object, torch.Generator, dict], dict]


class Trainer:
    """Owns the model, its optimizers and EMA, and trains over the batches
    ``make_batches(epoch, start)`` gives.

    A step runs one or more phases in order, each ``loss_fn(model, batch, generator, shared)
    -> {name: loss}`` minimized (summed) over its own parameters with its own optimizer: one phase
    for the acoustic model, a discriminator then a generator phase for a GAN. ``shared`` is a
    dict the phases of one step share (a GAN's generated audio)."""

    def __init__(self, run_dir: str | Path, model: nn.Module, config: LoopConfig, device: torch.device,
                 dist: Distributed, metadata: dict[str, object], phases: dict[str, list] | None = None,
                 replicate: Callable[[nn.Module, list[int] | None], nn.Module] | None = None):
        self.run_dir, self.config, self.device, self.dist = Path(run_dir), config, device, dist
        self.metadata = metadata
        self.model = model.to(device)
        self.ema = EMA(self.model, config.ema_decay)
        self.phase_params = phases or {"model": list(self.model.parameters())}
        self.optimizers = {
            name: torch.optim.AdamW(params, lr=config.lr, betas=tuple(config.betas), weight_decay=config.weight_decay)
            for name, params in self.phase_params.items()
        }
        # what the loss functions get: the model, or with several processes its DDP replica
        # (``replicate(model, device_ids)``; default one DistributedDataParallel around all of it)
        replicate = replicate or (lambda m, ids: torch.nn.parallel.DistributedDataParallel(m, device_ids=ids))
        self.ddp = replicate(self.model, [device.index] if device.type == "cuda" else None) if dist.world_size > 1 else self.model
        self.generator = torch.Generator().manual_seed(config.seed + 7919 * dist.rank)
        self.step, self.epoch, self.batch_in_epoch = 0, 0, 0
        self.bad_steps, self.skipped_steps = 0, 0
        self._stop_signal: int | None = None
        self.writer = None
        if dist.main:
            from torch.utils.tensorboard import SummaryWriter

            remove_partial_checkpoints(self.run_dir)  # a save that a crash or a full disk interrupted
            self.writer = SummaryWriter(str(self.run_dir / "tensorboard"))

    # -- checkpoints ------------------------------------------------------------------------
    def save(self) -> Path | None:
        if not self.dist.main:
            return None
        state = {
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()}, "step": self.step, "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch, "generator": self.generator.get_state(),
            "torch_rng": torch.get_rng_state(), "skipped_steps": self.skipped_steps,
        }
        weights = {"model": self.model.state_dict(), "ema": self.ema.state_dict()}
        path = save_checkpoint(self.run_dir, self.step, weights, self.metadata, state, self.config.keep_checkpoints)
        log.info("saved %s", path)
        return path

    def resume(self) -> bool:
        """Load the newest readable checkpoint of the run, if any; an unreadable one (a disk error,
        a truncated file) is skipped with a warning and the one before it is used."""
        for latest in reversed(checkpoint_dirs(self.run_dir)):
            try:
                weights = load_weights(latest / "model.safetensors", self.device)
                ema = load_weights(latest / "ema.safetensors", self.device)
                state = load_state(latest)
            except Exception as err:  # noqa: BLE001 (any failure to read it means: try the previous one)
                log.warning("checkpoint %s cannot be read (%s); trying the one before it", latest,
                            str(err).splitlines()[0] if str(err) else type(err).__name__)
                continue
            self._restore(latest, weights, ema, state)
            return True
        return False

    def _restore(self, latest: Path, weights: dict, ema: dict, state: dict) -> None:
        self.model.load_state_dict(weights)
        self.ema.load_state_dict(ema)
        saved = state["optimizers"] if "optimizers" in state else {"model": state["optimizer"]}  # 0.1.0 layout
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(saved[name])
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        self.skipped_steps = state["skipped_steps"]
        self._set_lr()
        log.info("resumed from %s", latest)

    # -- the loop ---------------------------------------------------------------------------
    def _on_signal(self, signum, frame):
        self._stop_signal = signum

    def _finite_everywhere(self, total: torch.Tensor) -> bool:
        finite = torch.isfinite(total.detach())
        if self.dist.world_size > 1:  # every rank skips together, or DDP would hang
            flag = finite.float().to(self.device)
            torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MIN)
            finite = flag > 0
        return bool(finite)

    def train_step(self, loss_fns: dict[str, LossFn], batch) -> dict[str, float] | None:
        """One optimization step of every phase; None when a loss was not finite (step skipped)."""
        self.model.train()
        bf16 = self.config.amp and (self.device.type == "cuda" or self.config.amp_cpu and self.device.type == "cpu")
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16)
        shared: dict = {}
        out: dict[str, float] = {}
        for name, loss_fn in loss_fns.items():
            optimizer, params = self.optimizers[name], self.phase_params[name]
            with autocast:
                losses = loss_fn(self.ddp, batch, self.generator, shared)
            total = sum(losses.values())
            optimizer.zero_grad(set_to_none=True)
            if not self._finite_everywhere(total):
                self.bad_steps += 1
                self.skipped_steps += 1
                log.warning("step %d: non-finite loss, skipped (%d in a row)", self.step, self.bad_steps)
                if self.bad_steps >= self.config.max_bad_steps:
                    raise TrainingError(f"{self.bad_steps} non-finite losses in a row at step {self.step}: "
                                        "lower the learning rate or check the data")
                return None
            total.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(params, self.config.grad_clip)
            optimizer.step()
            out.update({k: float(v.detach()) for k, v in losses.items()})
            out["grad_norm" if len(loss_fns) == 1 else f"grad_norm_{name}"] = float(grad_norm)
        self.bad_steps = 0
        self.ema.update(self.model)
        return out

    def fit(self, loss_fns: LossFn | dict[str, LossFn], make_batches: Callable[[int, int], Iterable],
            validate: Callable[["Trainer"], None] | None = None) -> str:
        """Train to ``max_steps``; returns "done" or "interrupted" (a checkpoint is saved on both).
        One loss function is the single phase "model"."""
        if callable(loss_fns):
            loss_fns = {"model": loss_fns}
        from tqdm import tqdm

        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        progress = tqdm(total=self.config.max_steps, initial=self.step, unit="step", disable=not self.dist.main,
                        dynamic_ncols=True)
        running: dict[str, float] = {}
        try:
            while self.step < self.config.max_steps:
                for batch in make_batches(self.epoch, self.batch_in_epoch):
                    stats = self.train_step(loss_fns, batch)
                    self.batch_in_epoch += 1
                    if stats is None:
                        continue
                    self.step += 1
                    progress.update(1)
                    for k, v in stats.items():
                        running[k] = running.get(k, 0.0) + v
                    if self.step % self.config.log_every == 0:
                        means = {k: v / self.config.log_every for k, v in running.items()}
                        running = {}
                        self.log_scalars("train", means)
                        self.log_scalars("train", {"lr": self.lr, "skipped_steps": self.skipped_steps})
                        progress.set_postfix({k: f"{v:.3f}" for k, v in means.items() if not k.startswith("grad_norm")})
                    if validate is not None and self.dist.main and self.step % self.config.val_every == 0:
                        validate(self)
                    if self.step % self.config.checkpoint_every == 0 or self.step >= self.config.max_steps:
                        self.save()
                    if self._stop_signal is not None or self.step >= self.config.max_steps:
                        break
                else:
                    self.epoch, self.batch_in_epoch = self.epoch + 1, 0
                    self._set_lr()
                    continue
                if self._stop_signal is not None:
                    if self.step % self.config.checkpoint_every != 0:
                        self.save()
                    return "interrupted"
            return "done"
        finally:
            progress.close()
            for s, handler in previous.items():
                signal.signal(s, handler)
            if self.writer is not None:
                self.writer.flush()

    @property
    def lr(self) -> float:
        return self.config.lr * self.config.lr_decay**self.epoch

    def _set_lr(self) -> None:
        for optimizer in self.optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = self.lr

    def log_scalars(self, prefix: str, values: dict[str, float]) -> None:
        if self.writer is None:
            return
        for k, v in values.items():
            if math.isfinite(v):
                self.writer.add_scalar(f"{prefix}/{k}", v, self.step)
