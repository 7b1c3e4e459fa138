"""Validation during training: held-out losses, and a sentence synthesized with the EMA weights
(mel images of target / prior / sample, and audio through the recipe's vocoder) in TensorBoard."""

from __future__ import annotations

import copy
import logging

import torch

log = logging.getLogger("tts_diffusion.train")


@torch.no_grad()
def validate_acoustic(trainer, config, tokenizer, val_set) -> None:
    from ..data import collate
    from ..options import DEFAULTS
    from ..plots import mel_figure
    from ..speakers import speaker_id
    from ..vocoder import load_vocoder

    model = trainer.model
    model.eval()
    device = trainer.device
    generator = torch.Generator().manual_seed(0)
    if val_set is not None and len(val_set):
        totals: dict[str, float] = {}
        n = 0
        for start in range(0, min(len(val_set), config.validation.max_batches * config.data.batch_size),
                           config.data.batch_size):
            items = [val_set[i] for i in range(start, min(start + config.data.batch_size, len(val_set)))]
            items = [i for i in items if i is not None]
            if not items:
                continue
            b = {k: v.to(device) for k, v in collate(items).items()}
            losses = model.compute_loss(b["ids"], b["langs"], b["token_lengths"], b["mels"], b["mel_lengths"],
                                        b["speakers"], generator=generator)
            for k, v in losses.items():
                totals[k] = totals.get(k, 0.0) + float(v)
            n += 1
        if n:
            trainer.log_scalars("val", {k: v / n for k, v in totals.items()})
            log.info("step %d validation: %s", trainer.step, {k: round(v / n, 4) for k, v in totals.items()})

    ema_model = copy.deepcopy(model)
    ema_model.load_state_dict(trainer.ema.state_dict())
    ema_model.eval()
    v = config.validation
    encoded = tokenizer.encode(v.text)
    ids = torch.tensor([encoded.ids], device=device)
    langs = torch.tensor([encoded.langs], device=device)
    speaker = speaker_id(config.model.voices, None, v.text)
    speaker = None if speaker is None else torch.tensor([speaker], device=device)
    mel, mu, *_ = ema_model.synthesize(ids, langs, torch.tensor([ids.shape[1]], device=device), v.method, v.steps,
                                         DEFAULTS.temperature, generator=torch.Generator().manual_seed(0),
                                         speaker=speaker)  # what users hear by default
    if trainer.writer is not None:
        trainer.writer.add_figure("val/mel", mel_figure({"prior mu": mu[0].cpu().numpy(), "sample": mel[0].cpu().numpy()}),
                                  trainer.step)
        vocoder = load_vocoder(v.vocoder, config.mel)
        audio = vocoder(mel[0].cpu())
        trainer.writer.add_audio("val/audio", audio[None], trainer.step, sample_rate=config.mel.sample_rate)
        first = val_set[0] if val_set is not None and len(val_set) else None
        if first is not None:
            trainer.writer.add_figure("val/target", mel_figure({"target": first["mel"].numpy()}), trainer.step)
    model.train()
