"""One options object for synthesis, shared by the API, ``tts-say``, the web demo and the benchmarks:
the CLI flags and the demo's controls take their names, defaults and ranges from here, and every
value is checked once, in :meth:`SynthesisOptions.check`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class SamplerFacts:
    """What the rest of the package needs to know of a sampler of :mod:`tts_diffusion.sampling`
    without importing torch: whether the same starting noise gives the same mel (a probability-flow
    ODE), and its score evaluations for a number of steps (None: an adaptive solver sets its own)."""

    deterministic: bool
    evaluations_per_step: int | None
    saved_evaluations: int = 0  # fewer than steps x per step (pc: no corrector after the last step)

    def nfe(self, steps: int) -> int | None:
        return None if self.evaluations_per_step is None else steps * self.evaluations_per_step - self.saved_evaluations

    @property
    def exportable(self) -> bool:
        """Deterministic with a fixed number of steps: a graph can unroll it (the ONNX export)."""
        return self.deterministic and self.evaluations_per_step is not None


SAMPLERS = {  # the one table: the CLI's choices, the demo's, the ONNX export's and the NFE come from it
    "ode": SamplerFacts(True, 1),  # DPM-Solver++(2M) on the probability-flow ODE
    "ode-heun": SamplerFacts(True, 2),
    "ode-euler": SamplerFacts(True, 1),
    "ode-rk45": SamplerFacts(True, None),  # scipy's adaptive RK45
    "sde": SamplerFacts(False, 1),  # Euler-Maruyama on the reverse SDE
    "pc": SamplerFacts(False, 2, saved_evaluations=1),  # reverse diffusion predictor + Langevin corrector
}
METHODS = tuple(SAMPLERS)
EXPORTABLE = tuple(name for name, facts in SAMPLERS.items() if facts.exportable)
LANGS = ("auto", "ko", "en")
MAX_STEPS = 1000
SPEED_RANGE = (0.25, 4.0)
TEMPERATURE_RANGE = (0.1, 10.0)
POSTFILTER_RANGE = (0.0, 2.0)
MAX_SEED = 2**31 - 1
MAX_TEXT_CHARS = 1_000_000  # longer texts are an error: split them (a sentence at a time streams anyway)


def _option(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, kw_only=True)
class SynthesisOptions:
    voice: str | None = _option(None, "a voice of the model (default: the voice of the text's language)")
    lang: str = _option("auto", "language of the text: auto, ko or en")
    method: str = _option("ode", "sampler")
    steps: int = _option(4, "sampler steps (4 suit ode; sde and pc need 16 or more)")
    temperature: float = _option(3.0, "prior temperature: the prior is N(mu, I / T^2); higher is calmer")
    postfilter: float | None = _option(None, "spectral contrast postfilter: the mel's detail across bands is "
                                             "scaled by 1 + this; 0 is off (default: the voice's own)")
    speed: float = _option(1.0, "speaking rate, 1.2 is 20% faster")
    seed: int | None = _option(None, "random seed, for repeatable output")
    pause: float = _option(0.25, "seconds of silence between sentences")

    def check(self) -> "SynthesisOptions":
        """Raise ValueError (one line naming the option) for a value out of its range; return self."""
        def number(name: str, value, low: float, high: float) -> None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not low <= value <= high:
                raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}")

        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r}: choose {', '.join(LANGS)}")
        if self.method not in METHODS:
            raise ValueError(f"unknown sampling method {self.method!r}: choose {', '.join(METHODS)}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not 1 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, not {self.steps!r}")
        number("temperature", self.temperature, *TEMPERATURE_RANGE)
        if self.postfilter is not None:
            number("postfilter", self.postfilter, *POSTFILTER_RANGE)
        number("speed", self.speed, *SPEED_RANGE)
        number("pause", self.pause, 0.0, 5.0)
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                                      or not 0 <= self.seed <= MAX_SEED):
            raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, not {self.seed!r}")
        return self


def option_help(name: str) -> str:
    """What an option means, for --help and the demo's labels."""
    return next(f.metadata["help"] for f in fields(SynthesisOptions) if f.name == name)


DEFAULTS = SynthesisOptions()
