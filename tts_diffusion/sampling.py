"""Samplers: integrate from the prior at t = 1 back to t = eps, with a score s(x, t) ~ grad log p_t(x).

One short function each, in :data:`SAMPLERS` (as k-diffusion lists its samplers); the drifts come
from the SDE (:meth:`SDE.reverse_drift`):
- ``sde``: the reverse-time SDE dx = [f - g^2 s] dt + g dw_bar, Euler–Maruyama.
- ``pc``: predictor–corrector (Song et al. 2021): a reverse-diffusion predictor step, then a
  Langevin corrector step x <- x + e s + sqrt(2 e) z with e = 2 (snr ||z|| / ||s||)^2.
- ``ode-euler`` / ``ode-heun``: the probability-flow ODE dx/dt = f - 1/2 g^2 s, first and second
  order fixed steps.
- ``ode-rk45``: the same ODE with scipy's adaptive RK45.
- ``ode``: DPM-Solver++(2M) (Lu et al. 2022), an exponential integrator of the same ODE. With
  x_t = alpha_t x_0 + (1 - alpha_t) mu + sigma_t eps, the shifted y = x - mu is a plain diffusion
  y_t = alpha_t y_0 + sigma_t eps, whose ODE is solved exactly in its linear part; steps are
  uniform in lambda = log(alpha / sigma).

Schedules are apart from the steppers (as in k-diffusion): a schedule gives the times
1 = t_0 > ... > t_N = eps (:func:`uniform_times`, :func:`log_snr_times`), a stepper integrates
over them; :data:`SAMPLERS` pairs each method's stepper with its schedule.

``score_fn(x, t)`` takes x like mu and t of shape (batch,). The noise of the stochastic samplers
comes from one generator per item (a list), drawn over each item's own frames (``mask``), so an
item's result does not depend on what else is in its batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .options import METHODS
from .sde import SDE

ScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Generators = torch.Generator | list[torch.Generator] | None


@dataclass(frozen=True)
class Settings:
    """A sampler's settings besides its steps (``sample``'s ``tolerances``)."""

    eps: float = 1e-3  # the last time; t in [eps, 1]
    snr: float = 0.16  # the Langevin corrector's signal-to-noise ratio (pc)
    rtol: float = 1e-5  # tolerances of ode-rk45
    atol: float = 1e-5


class Counted:
    """A score function that counts its evaluations (NFE)."""

    def __init__(self, score_fn: ScoreFn):
        self.score_fn, self.nfe = score_fn, 0

    def __call__(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        self.nfe += 1
        return self.score_fn(x, t)


def _t(value: float, x: torch.Tensor) -> torch.Tensor:
    return torch.full((x.shape[0],), float(value), device=x.device, dtype=x.dtype)


def _norm(v: torch.Tensor) -> torch.Tensor:
    return v.flatten(1).norm(dim=1).reshape(-1, *([1] * (v.dim() - 1)))


def uniform_times(sde: SDE, steps: int, eps: float) -> list[float]:
    """t_i = 1 - i (1 - eps) / N, i = 0..N."""
    return torch.linspace(1.0, eps, steps + 1).tolist()


def log_snr_times(sde: SDE, steps: int, eps: float) -> list[float]:
    """The t_i whose lambda(t_i) = log(alpha / sigma) are uniform from lambda(1) to lambda(eps)
    (DPM-Solver's schedule: equal steps of its exponential integrator)."""
    lambdas = torch.linspace(sde.half_log_snr(1.0), sde.half_log_snr(eps), steps + 1, dtype=torch.float64)
    return [1.0] + [sde.time_at(float(l), eps) for l in lambdas[1:-1]] + [eps]


def randn_like(x: torch.Tensor, generator: Generators, mask: torch.Tensor | None = None) -> torch.Tensor:
    """N(0, I) like x. With a list of generators, item i's noise comes from generator i and covers
    only its unmasked frames (the last axis), so it is the same in any batch."""
    if not isinstance(generator, list):
        return torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    z = torch.zeros_like(x)
    frames = mask.flatten(1, -2).amax(1).sum(-1).long().tolist() if mask is not None else [x.shape[-1]] * len(x)
    for i, (g, n) in enumerate(zip(generator, frames)):
        z[i, ..., :n] = torch.randn((*x.shape[1:-1], n), generator=g, dtype=x.dtype).to(x.device)
    return z


def euler_maruyama(sde, score, x, mu, ts, s: Settings, generator=None, mask=None, corrector: bool = False):
    """``sde``: x <- x - [f - g^2 s] dt + g sqrt(dt) z, the last step without noise; with
    ``corrector`` (``pc``) a Langevin step after each step but the last."""
    steps = len(ts) - 1
    for i in range(steps):
        t, dt, last = _t(ts[i], x), ts[i] - ts[i + 1], i == steps - 1
        x = x - sde.reverse_drift(x, t, mu, score) * dt
        if not last:
            g = sde.diffusion(t).reshape(-1, *([1] * (x.dim() - 1)))
            x = x + g * dt**0.5 * randn_like(x, generator, mask)
        if corrector and not last:
            x = langevin_step(score, x * _ones(mask), _t(ts[i + 1], x), s.snr, generator, mask)
        x = x * _ones(mask)
    return x


def predictor_corrector(sde, score, x, mu, ts, s: Settings, generator=None, mask=None):
    return euler_maruyama(sde, score, x, mu, ts, s, generator, mask, corrector=True)


def langevin_step(score, x, t, snr, generator, mask=None):
    """x + e s + sqrt(2 e) z, e = 2 (snr ||z|| / ||s||)^2 per item."""
    grad = score(x, t)
    z = randn_like(x, generator, mask)
    step = 2 * (snr * _norm(z) / _norm(grad).clamp(min=1e-12)) ** 2
    return x + step * grad + (2 * step) ** 0.5 * z


def ode_euler(sde, score, x, mu, ts, s: Settings, generator=None, mask=None):
    """x <- x - v(x, t) dt, v the probability-flow drift."""
    for i in range(len(ts) - 1):
        x = (x - sde.reverse_drift(x, _t(ts[i], x), mu, score, probability_flow=True) * (ts[i] - ts[i + 1])) * _ones(mask)
    return x


def ode_heun(sde, score, x, mu, ts, s: Settings, generator=None, mask=None):
    """Heun's method: the Euler guess, then the mean of the two slopes (2 evaluations a step)."""
    for i in range(len(ts) - 1):
        dt = ts[i] - ts[i + 1]
        d1 = sde.reverse_drift(x, _t(ts[i], x), mu, score, probability_flow=True)
        d2 = sde.reverse_drift(x - d1 * dt, _t(ts[i + 1], x), mu, score, probability_flow=True)
        x = (x - 0.5 * (d1 + d2) * dt) * _ones(mask)
    return x


def dpm_solver_2m(sde, score, x, mu, ts, s: Settings, generator=None, mask=None):
    """DPM-Solver++(2M) in y = x - mu, data prediction y0 = (y - sigma eps_hat) / alpha with
    eps_hat = -sigma s(x, t); a step from t_i to t_{i+1} spans h = lambda(t_{i+1}) - lambda(t_i),
    lambda = log(alpha_t / sigma_t)."""
    lambdas = [sde.half_log_snr(t) for t in ts]
    y, previous, h_previous = x - mu, None, None
    for i in range(len(ts) - 1):
        a_t, sig_t = sde.alpha_sigma(_t(ts[i], x), x)
        a_s, sig_s = sde.alpha_sigma(_t(ts[i + 1], x), x)
        h = float(lambdas[i + 1] - lambdas[i])
        eps_hat = -sig_t * score(y + mu, _t(ts[i], x))
        y0 = (y - sig_t * eps_hat) / a_t
        if previous is None:
            d = y0
        else:  # second order from the last two data predictions, r = h_{i-1} / h_i
            r = h_previous / h
            d = (1 + 1 / (2 * r)) * y0 - previous / (2 * r)
        y = sig_s / sig_t * y - a_s * np.expm1(-h) * d
        previous, h_previous = y0, h
    return y + mu


def ode_rk45(sde, score, x, mu, ts, s: Settings, generator=None, mask=None):
    """scipy's adaptive RK45 on the probability-flow ODE from ts[0] to ts[-1] (it chooses its own steps)."""
    from scipy.integrate import solve_ivp

    shape, dtype, device = x.shape, x.dtype, x.device

    def fun(t, y):
        xt = torch.from_numpy(y).reshape(shape).to(device=device, dtype=dtype)
        return sde.reverse_drift(xt, _t(t, xt), mu, score, probability_flow=True).cpu().double().numpy().reshape(-1)

    solution = solve_ivp(fun, (ts[0], ts[-1]), x.cpu().double().numpy().reshape(-1), method="RK45", rtol=s.rtol, atol=s.atol)
    if not solution.success:
        raise RuntimeError(f"ode-rk45 failed: {solution.message}")
    return torch.from_numpy(solution.y[:, -1]).reshape(shape).to(device=device, dtype=dtype)


def _ones(mask: torch.Tensor | None):
    return 1.0 if mask is None else mask


SAMPLERS = {  # method: (stepper, schedule)
    "ode": (dpm_solver_2m, log_snr_times), "ode-heun": (ode_heun, uniform_times), "ode-euler": (ode_euler, uniform_times),
    "ode-rk45": (ode_rk45, uniform_times), "sde": (euler_maruyama, uniform_times), "pc": (predictor_corrector, uniform_times)}
assert tuple(SAMPLERS) == METHODS, "options.SAMPLERS describes these samplers (for a torch-free CLI and runtime)"


def prior_draw(mu: torch.Tensor, sde: SDE, temperature: float = 1.0, generator: Generators = None,
               mask: torch.Tensor | None = None) -> torch.Tensor:
    """x_1 ~ N(mu, (sigma_1 / T)^2 I), the start of the reverse process (synthesis draws it with
    :func:`tts_diffusion.pipeline.frame_prior` instead, the same on every engine)."""
    return mu + sde.prior_std() / temperature * randn_like(mu, generator, mask)


@torch.no_grad()
def sample(score_fn: ScoreFn, x_init: torch.Tensor, mu: torch.Tensor, sde: SDE, method: str = "ode",
           steps: int = 10, generator: Generators = None, mask: torch.Tensor | None = None,
           **tolerances) -> tuple[torch.Tensor, int]:
    """From x_1 = ``x_init`` (:func:`prior_draw`) to x_0 given the prior mean mu, by ``method`` in
    ``steps`` steps (ode-rk45 adapts its own); -> (x_0, NFE). ``generator`` gives a stochastic
    sampler's noise; ``tolerances`` override :class:`Settings` (eps, snr, rtol, atol)."""
    if method not in SAMPLERS:
        raise ValueError(f"unknown sampling method {method!r}; choose one of {', '.join(SAMPLERS)}")
    if steps < 1:
        raise ValueError("steps must be at least 1")
    score, settings = Counted(score_fn), Settings(**tolerances)
    stepper, schedule = SAMPLERS[method]
    x = stepper(sde, score, x_init.clone(), mu, schedule(sde, steps, settings.eps), settings, generator, mask)
    return (x if mask is None else x * mask), score.nfe
