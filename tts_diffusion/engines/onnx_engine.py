"""A voice exported as ONNX graphs (see :mod:`tts_diffusion.export.onnx_graphs`), run by onnxruntime: an
engine of :mod:`tts_diffusion.pipeline`. The encoder graph gives mu_x and log_w; the pipeline makes
each sentence's prior (durations, mu_y, x_1); the decoder graph integrates the probability-flow ODE
from x_1; the vocoder graph (or Griffin-Lim in numpy) makes the audio.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import numpy as np

from ..audio import MelConfig, griffin_lim_spec
from ..options import EXPORTABLE, SAMPLERS, SynthesisOptions
from ..speakers import Voice
from ..text import Tokenizer
from ..dsp import NumpyGriffinLim, hann_window, istft, polar

FORMAT = "tts-diffusion/onnx/1"


class OnnxError(ValueError):
    """An exported voice that cannot be read or cannot do what was asked."""


def decoder_feeds(prior, speaker: int | None) -> dict[str, np.ndarray]:
    """A decoder graph's inputs for one :class:`~tts_diffusion.pipeline.Prior` (a batch of one)."""
    return {"mu": prior.mu[None], "mask": prior.mask[None, None], "x_init": prior.x_init[None],
            "speaker": np.full(1, speaker or 0, dtype=np.int64)}


def is_onnx_voice(path) -> bool:
    return path is not None and (Path(path) / "voice.json").is_file()


class OnnxEngine:
    def __init__(self, folder: str | Path, vocoder: str | None = None, threads: int | None = None):
        """``vocoder``: None for the exported one, or another (see :meth:`_vocoder`)."""
        try:
            import onnxruntime  # noqa: F401 (a clear error here; sessions import it again)
        except ImportError:
            raise OnnxError("the ONNX runtime needs onnxruntime: pip install 'tts-diffusion[onnx]'") from None
        self.folder = Path(folder)
        try:
            meta = json.loads((self.folder / "voice.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')!r}, not {FORMAT!r}")
            self.mel_config = MelConfig(**meta["mel"]).check()
            self.tokenizer = Tokenizer.from_state(meta["tokenizer"])
            self.voices = [Voice(**v) for v in meta["voices"]]
            self.prior_std, self.multiple = float(meta["prior_std"]), int(meta["frame_multiple"])
            self.decoders: dict[str, dict[str, str]] = meta["decoders"]
            vocoder_meta = meta["vocoder"]
        except (OSError, KeyError, TypeError, ValueError) as err:
            raise OnnxError(f"{self.folder} is not an exported tts-diffusion voice: {err}") from None
        # The sentences of a batch run side by side, one a thread (faster than one batch on all threads);
        # a lone sentence (the first, for the first audio soon) decodes on all of them, in a session of
        # its own (one run at a time keeps the thread pool). Figures: docs/runtimes.md.
        self.workers = threads or os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="sentences") if self.workers > 1 else None
        self._encoders = {self.workers: self._session("encoder.onnx", self.workers)}  # see encode
        self._decoders: dict[tuple[str, int], object] = {}
        self._vocoder(vocoder_meta, vocoder)

    def _vocoder(self, meta: dict, spec: str | None) -> None:
        """The exported vocoder, or ``spec``: ``griffinlim[:N]``, or for a voice exported with a Vocos,
        ``vocos`` or ``vocos+griffinlim[:N]`` (Griffin-Lim from the Vocos's phase)."""
        kind = meta["kind"]
        settings = {k: meta[k] for k in ("iterations", "momentum", "power", "seed") if k in meta}
        if spec is not None:
            try:
                griffin_lim = griffin_lim_spec(spec)
            except ValueError as err:
                raise OnnxError(str(err)) from None
            choice = spec
            if griffin_lim is not None:
                choice = f"{griffin_lim[0]}+griffinlim" if griffin_lim[0] else "griffinlim"
            with_vocos = kind in ("vocos", "vocos+griffinlim")
            if choice != "griffinlim" and not (with_vocos and choice in ("vocos", "vocos+griffinlim")):
                raise OnnxError(f"an ONNX voice speaks through its exported vocoder ({kind}), griffinlim[:N], or, "
                                f"exported with a Vocos, vocos or vocos+griffinlim[:N]; not {spec!r}")
            settings = settings if choice == kind else {}
            if griffin_lim is not None:
                settings["iterations"] = griffin_lim[1]
            kind = choice
        self.vocoder_kind = kind
        if kind.endswith("griffinlim"):
            self.griffinlim = NumpyGriffinLim(self.mel_config, **settings)
        if kind != "griffinlim":
            self.vocoder = self._session(meta["file"])
            self.window = hann_window(self.mel_config.n_fft, self.mel_config.n_fft)

    def _session(self, name: str, threads: int = 1):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        path = self.folder / name
        if (self.folder / "optimized" / name).is_file():  # optimized once by the cache (export/cache.py)
            path = self.folder / "optimized" / name
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        # Idle pool threads sleep rather than spin (onnxruntime spins by default): on shared cores the
        # spinning ones steal the working ones' time (bench/under_load.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # noqa: BLE001 (onnxruntime's own exception types: a missing or bad graph)
            raise OnnxError(f"cannot load {path}: {str(err).splitlines()[0]}") from None

    def _decoder(self, method: str, steps: int, threads: int = 1):
        if method not in EXPORTABLE:
            raise OnnxError(f"an ONNX voice samples with {', '.join(EXPORTABLE)} only, not {method} (the stochastic "
                            "samplers draw noise at every step): use the torch model for it")
        name = self.decoders.get(method, {}).get(str(steps))
        if name is None:
            have = "; ".join(f"{m} with {', '.join(sorted(s, key=int))} steps" for m, s in self.decoders.items())
            raise OnnxError(f"this ONNX voice has no {method} decoder with {steps} steps (it has {have}): export it "
                            f"with python -m tts_diffusion.export --onnx MODEL DIR --decoders {method}:{steps}")
        if (name, threads) not in self._decoders:
            self._decoders[name, threads] = self._session(name, threads)
        return self._decoders[name, threads]

    def check(self, options: SynthesisOptions) -> None:
        self._decoder(options.method, options.steps, self.workers)  # the one the first sentence, alone, runs in

    def _inputs(self, session, values: dict) -> dict:
        names = {i.name for i in session.get_inputs()}
        return {k: v for k, v in values.items() if k in names}

    @property
    def frame_multiple(self) -> int:
        return self.multiple

    def encode(self, ids: np.ndarray, langs: np.ndarray, lengths: np.ndarray,
               speaker: int | None) -> tuple[np.ndarray, np.ndarray]:
        """A padded batch of token ids -> mu_x (batch, n_mels, tokens), log_w (batch, 1, tokens), zero
        past each sentence's tokens. Each sentence is encoded alone at its own length, side by side one
        a thread as the decoders run (faster than the padded batch on every thread: docs/runtimes.md);
        a lone sentence on all of them."""
        def run(i: int, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
            if threads not in self._encoders:
                self._encoders[threads] = self._session("encoder.onnx", threads)
            encoder, n = self._encoders[threads], int(lengths[i])
            tokens = {"ids": ids[i:i + 1, :n], "langs": langs[i:i + 1, :n], "lengths": lengths[i:i + 1],
                      "speaker": np.full(1, speaker or 0, dtype=np.int64)}
            return encoder.run(None, self._inputs(encoder, tokens))

        if len(ids) == 1:
            return tuple(run(0, self.workers))
        outputs = list(self._pool.map(run, range(len(ids))) if self._pool else map(run, range(len(ids))))
        mu_x = np.zeros((len(ids), outputs[0][0].shape[1], ids.shape[1]), dtype=np.float32)
        log_w = np.zeros((len(ids), 1, ids.shape[1]), dtype=np.float32)
        for i, (m, w) in enumerate(outputs):
            mu_x[i, :, :m.shape[2]], log_w[i, :, :w.shape[2]] = m[0], w[0]
        return mu_x, log_w

    def decode(self, priors: list, speaker: int | None, method: str, steps: int,
               seeds: list[int]) -> tuple[list[np.ndarray], int]:
        """Each :class:`~tts_diffusion.pipeline.Prior` -> its mel (n_mels, frames), decoded alone at its
        own width on the next free thread (a lone sentence on all of them): no padding to compute, and
        as fast as the padded batch (docs/runtimes.md). ``seeds`` are unused: the exported samplers are
        deterministic."""
        def run(prior, threads: int = 1) -> np.ndarray:
            decoder = self._decoder(method, steps, threads)
            (mel,) = decoder.run(None, self._inputs(decoder, decoder_feeds(prior, speaker)))
            return mel[0, :, :prior.frames]

        if len(priors) == 1:
            mels = [run(priors[0], self.workers)]
        else:
            mels = list(self._pool.map(run, priors) if self._pool else map(run, priors))
        return mels, SAMPLERS[method].nfe(steps)

    def vocode_each(self, mels: list[np.ndarray]) -> Iterator[np.ndarray]:
        """In order, the sentences of a batch in parallel, one per thread (numpy and onnxruntime
        release the GIL); a lone sentence's Griffin-Lim on every thread."""
        if self._pool is not None and len(mels) > 1:
            return self._pool.map(self.vocode, mels)
        return (self.vocode(mel, self.workers) for mel in mels)

    def vocode(self, mel: np.ndarray, threads: int = 1) -> np.ndarray:
        if self.vocoder_kind == "griffinlim":
            return self.griffinlim(mel, threads)
        outputs = self.vocoder.run(None, {"mel": mel[None].astype(np.float32)})
        if self.vocoder_kind == "hifigan":
            return outputs[0].reshape(-1).astype(np.float32)
        log_magnitude, phase = (o[0] for o in outputs)  # vocos: invert its spectrum here
        if self.vocoder_kind == "vocos+griffinlim":
            return self.griffinlim(mel, threads, phase=phase)
        spec = polar(np.minimum(np.exp(log_magnitude), 100.0), phase)
        c = self.mel_config
        return istft(spec, c.n_fft, c.hop_length, self.window, mel.shape[1] * c.hop_length, center=False).astype(np.float32)
