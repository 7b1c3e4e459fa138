"""Samplers: integrate from the prior at t = 1 back to t = eps, with a score s(x, t) ~ grad log p_t(x).

- ``sde``: the reverse-time SDE dx = [f(x, t) - g(t)^2 s(x, t)] dt + g(t) dw_bar, Euler–Maruyama.
- ``pc``: predictor–corrector (Song et al. 2021): a reverse-diffusion predictor step, then a
  Langevin corrector step x <- x + e s + sqrt(2 e) z with e = 2 (snr ||z|| / ||s||)^2.
- ``ode-euler`` / ``ode-heun``: the probability-flow ODE dx/dt = f(x, t) - 1/2 g(t)^2 s(x, t),
  first and second order fixed steps.
- ``ode-rk45``: the same ODE with scipy's adaptive RK45.
- ``ode``: DPM-Solver++(2M) (Lu et al. 2022), an exponential integrator of the same ODE. With
  x_t = alpha_t x_0 + (1 - alpha_t) mu + sigma_t eps, the shifted y = x - mu is a plain diffusion
  y_t = alpha_t y_0 + sigma_t eps, whose ODE is solved exactly in its linear part; steps are
  uniform in lambda = log(alpha / sigma).

``score_fn(x, t)`` takes x like mu and t of shape (batch,).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from .sde import SDE

ScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
METHODS = ("ode", "ode-euler", "ode-heun", "ode-rk45", "sde", "pc")


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


def ode_velocity(sde: SDE, score: ScoreFn, x: torch.Tensor, t: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """dx/dt of the probability-flow ODE: f(x, t) - 1/2 g(t)^2 s(x, t)."""
    g = sde.diffusion(t).reshape(-1, *([1] * (x.dim() - 1)))
    return sde.drift(x, t, mu) - 0.5 * g**2 * score(x, t)


def reverse_sde_step(sde, score, x, t, dt, mu, generator, noise=True):
    """One Euler–Maruyama step of the reverse SDE from t to t - dt (this is also the
    reverse-diffusion predictor): x - [f - g^2 s] dt + g sqrt(dt) z."""
    g = sde.diffusion(t).reshape(-1, *([1] * (x.dim() - 1)))
    mean = x - (sde.drift(x, t, mu) - g**2 * score(x, t)) * dt
    if not noise:
        return mean
    return mean + g * dt**0.5 * torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)


def langevin_step(score, x, t, snr, generator):
    """x + e s + sqrt(2 e) z, e = 2 (snr ||z|| / ||s||)^2 per item."""
    grad = score(x, t)
    z = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
    step = 2 * (snr * _norm(z) / _norm(grad).clamp(min=1e-12)) ** 2
    return x + step * grad + (2 * step) ** 0.5 * z


def dpm_solver_2m(sde, score, x, mu, steps, eps):
    """DPM-Solver++(2M) in y = x - mu, data prediction y0 = (y - sigma eps_hat) / alpha with
    eps_hat = -sigma s(x, t); steps uniform in lambda = log(alpha_t / sigma_t)."""
    lambdas = torch.linspace(sde.half_log_snr(1.0), sde.half_log_snr(eps), steps + 1, dtype=torch.float64)
    ts = [1.0] + [sde.time_at(float(l), eps) for l in lambdas[1:-1]] + [eps]
    y, previous, h_previous = x - mu, None, None
    for i in range(steps):
        t, s = ts[i], ts[i + 1]
        a_t, sig_t = sde.alpha_sigma(_t(t, x), x)
        a_s, sig_s = sde.alpha_sigma(_t(s, x), x)
        h = float(lambdas[i + 1] - lambdas[i])
        eps_hat = -sig_t * score(y + mu, _t(t, x))
        y0 = (y - sig_t * eps_hat) / a_t
        if previous is None:
            d = y0
        else:  # second order from the last two data predictions, r = h_{i-1} / h_i
            r = h_previous / h
            d = (1 + 1 / (2 * r)) * y0 - previous / (2 * r)
        y = sig_s / sig_t * y - a_s * np.expm1(-h) * d
        previous, h_previous = y0, h
    return y + mu


def ode_rk45(sde, score, x, mu, eps, rtol, atol):
    from scipy.integrate import solve_ivp

    shape, dtype, device = x.shape, x.dtype, x.device

    def fun(t, y):
        xt = torch.from_numpy(y).reshape(shape).to(device=device, dtype=dtype)
        return ode_velocity(sde, score, xt, _t(t, xt), mu).cpu().double().numpy().reshape(-1)

    solution = solve_ivp(fun, (1.0, eps), x.cpu().double().numpy().reshape(-1), method="RK45", rtol=rtol, atol=atol)
    if not solution.success:
        raise RuntimeError(f"ode-rk45 failed: {solution.message}")
    return torch.from_numpy(solution.y[:, -1]).reshape(shape).to(device=device, dtype=dtype)


@torch.no_grad()
def sample(score_fn: ScoreFn, mu: torch.Tensor, sde: SDE, method: str = "ode", steps: int = 10,
           temperature: float = 1.0, generator: torch.Generator | None = None, mask: torch.Tensor | None = None,
           eps: float = 1e-3, snr: float = 0.16, rtol: float = 1e-5, atol: float = 1e-5,
           x_init: torch.Tensor | None = None, return_nfe: bool = False):
    """Draw x_0 given the prior mean mu. ``steps`` is the number of steps of a fixed-step method
    (NFE: steps for sde/ode-euler/ode, 2 steps for ode-heun, 2 steps - 1 for pc); ode-rk45 adapts its own.
    ``x_init`` replaces the prior draw (to compare solvers from the same noise)."""
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; choose one of {', '.join(METHODS)}")
    if steps < 1:
        raise ValueError("steps must be at least 1")
    score = Counted(score_fn)
    x = sde.prior_sample(mu, temperature, generator) if x_init is None else x_init.clone()
    if method == "ode":
        x = dpm_solver_2m(sde, score, x, mu, steps, eps)
    elif method == "ode-rk45":
        x = ode_rk45(sde, score, x, mu, eps, rtol, atol)
    else:
        ts = torch.linspace(1.0, eps, steps + 1).tolist()
        for i in range(steps):
            t, dt = _t(ts[i], x), ts[i] - ts[i + 1]
            if method == "ode-euler":
                x = x - ode_velocity(sde, score, x, t, mu) * dt
            elif method == "ode-heun":
                d1 = ode_velocity(sde, score, x, t, mu)
                guess = x - d1 * dt
                d2 = ode_velocity(sde, score, guess, _t(ts[i + 1], x), mu)
                x = x - 0.5 * (d1 + d2) * dt
            else:  # sde, pc: the last step adds no noise
                last = i == steps - 1
                x = reverse_sde_step(sde, score, x, t, dt, mu, generator, noise=not last)
                if method == "pc" and not last:
                    x = langevin_step(score, x, _t(ts[i + 1], x), snr, generator)
            if mask is not None:
                x = x * mask
    if mask is not None:
        x = x * mask
    return (x, score.nfe) if return_nfe else x
