"""int8 convolutions for an exported voice's decoders (``python -m tts_diffusion.export --onnx ... --int8``).

onnxruntime's static quantization (not written here): each Conv of the unrolled decoder becomes a
QLinearConv, its weights int8 per output channel, its input uint8 with a scale and zero point
calibrated on the decoder's own inputs for :data:`CALIBRATION` as the runtime makes them (mu from
the model's prior, x_init = mu + (sigma_1 / T) z at the default temperature; text of our own, in no
evaluation set); GroupNorm, Mish, the sampler's updates
and the output stay float32, and so do the convolutions of :data:`KEPT_FLOAT`, the first (which read
the noisy mel and mu) and the last two (which write the residual): quantized, they alone made most
of the error. Its mel is no longer the torch path's to 1e-3, so it is an option, not the default
(figures: docs/runtimes.md, "An int8 decoder").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..options import DEFAULTS
from ..pipeline import frame_prior
from ..engines.onnx_engine import decoder_feeds
from ..text import Tokenizer, pad_tokens

KEPT_FLOAT = ("/decoder/down.0/res1/block1/", "/decoder/down.0/res1/skip", "/decoder/final.")  # node names
CALIBRATION = [
    ("en", "The harbor ferry will run on its winter schedule from the first of December."),
    ("en", "Engineers finished testing the new signal system late on Sunday night."),
    ("en", "A light rain is expected in the afternoon, with clearer skies by the evening."),
    ("ko", "시청은 다음 달부터 주말 버스 운행을 한 시간 늘리기로 했습니다."),
    ("ko", "오늘 오후에는 곳곳에 비가 내리다가 저녁부터 차차 그치겠습니다."),
    ("ko", "도서관 새 건물은 내년 봄에 문을 열 예정입니다."),
]


def calibration_inputs(model, tokenizer: Tokenizer, seed: int = 0,
                       temperature: float = DEFAULTS.temperature) -> list[dict[str, np.ndarray]]:
    """The decoder's inputs for each calibration sentence (in a voice of its language where the
    model has voices) as the runtime makes them (:func:`~tts_diffusion.pipeline.frame_prior`, at the
    runtime's default temperature and speed)."""
    voices = model.config.voices
    feeds = []
    for k, (lang, text) in enumerate(CALIBRATION):
        encoded = tokenizer.encode(text, lang)
        ids, langs, lengths = (torch.from_numpy(a) for a in pad_tokens([encoded.ids], [encoded.langs]))
        speaker = next((i for i, v in enumerate(voices) if v.language == lang), 0) if voices else None
        with torch.no_grad():
            mu_x, log_w, _ = model.encode(ids, langs, lengths, None if speaker is None else torch.tensor([speaker]))
        prior = frame_prior(mu_x[0].numpy(), log_w[0, 0].numpy(), DEFAULTS.speed, temperature, seed + k,
                            float(model.sde.prior_std()), model.decoder.frame_multiple)
        feeds.append(decoder_feeds(prior, speaker))
    return feeds


def quantize_decoder(path: Path, feeds: list[dict[str, np.ndarray]]) -> None:
    """Rewrite the decoder graph at ``path`` with int8 convolutions, calibrated on ``feeds``."""
    try:
        from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quant_pre_process,
                                              quantize_static)
    except ImportError:
        raise ValueError("--int8 needs onnxruntime: pip install 'tts-diffusion[onnx]'") from None
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    names = {i.name for i in graph.input}
    kept = [n.name for n in graph.node if n.op_type == "Conv" and n.name.startswith(KEPT_FLOAT)]

    class Feeds(CalibrationDataReader):
        def __init__(self):
            self.left = iter([{k: v for k, v in feed.items() if k in names} for feed in feeds])

        def get_next(self):
            return next(self.left, None)

    prepared = path.with_name(path.stem + ".prepared.onnx")
    try:
        quant_pre_process(str(path), str(prepared), skip_symbolic_shape=True)
        quantize_static(str(prepared), str(path), Feeds(), quant_format=QuantFormat.QOperator, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=["Conv"],
                        nodes_to_exclude=kept)
    finally:
        prepared.unlink(missing_ok=True)
