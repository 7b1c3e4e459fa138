"""Each SDE's marginals against a Monte-Carlo simulation of the SDE itself, and analytic checks."""

import math

import pytest
import torch

from tts_diffusion.sde import SDE, VESDE, VPSDE, SubVPSDE

SDES = [VPSDE(), SubVPSDE(), VESDE(sigma_min=0.01, sigma_max=5.0)]


def simulate(sde: SDE, x0: torch.Tensor, mu: torch.Tensor, t_end: float, steps: int = 2000, seed: int = 0):
    """Euler–Maruyama on the forward SDE from t = 0 to t_end."""
    g = torch.Generator().manual_seed(seed)
    x, dt = x0.clone(), t_end / steps
    for k in range(steps):
        t = torch.full((x.shape[0],), k * dt, dtype=x.dtype)
        noise = torch.randn(x.shape, generator=g, dtype=x.dtype)
        x = x + sde.drift(x, t, mu) * dt + sde.diffusion(t)[:, None] * math.sqrt(dt) * noise
    return x


@pytest.mark.parametrize("sde", SDES, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("t_end", [0.3, 1.0])
def test_marginal_matches_monte_carlo(sde, t_end):
    n = 20000
    x0 = torch.full((n, 1), 0.7, dtype=torch.float64)
    mu = torch.full((n, 1), -1.3, dtype=torch.float64)
    xt = simulate(sde, x0, mu, t_end)
    mean, std = sde.marginal(x0[:1], torch.tensor([t_end], dtype=torch.float64), mu[:1])
    mean, std = float(mean), float(std)
    assert abs(xt.mean().item() - mean) < 4 * std / math.sqrt(n) + 2e-3
    assert abs(xt.std().item() / std - 1) < 0.03


@pytest.mark.parametrize("sde", SDES, ids=lambda s: type(s).__name__)
def test_marginal_variance_solves_its_moment_equation(sde):
    """For a linear drift f = a(t)(mu - x): d var/dt = -2 a(t) var + g(t)^2, d mean/dt = a(t)(mu - mean)."""
    t = torch.linspace(0.05, 0.95, 19, dtype=torch.float64)
    h = 1e-5
    x0, mu = torch.full((19, 1), 2.0, dtype=torch.float64), torch.full((19, 1), -1.0, dtype=torch.float64)
    mean, std = sde.marginal(x0, t, mu)
    mean_h, std_h = sde.marginal(x0, t + h, mu)
    mean_l, std_l = sde.marginal(x0, t - h, mu)
    a = -sde.drift(torch.ones_like(x0), t, torch.zeros_like(mu))  # f(1, t, 0) = -a(t)
    dvar = (std_h**2 - std_l**2) / (2 * h)
    dmean = (mean_h - mean_l) / (2 * h)
    assert torch.allclose(dvar, -2 * a * std**2 + sde.diffusion(t)[:, None] ** 2, rtol=1e-5, atol=1e-8)
    assert torch.allclose(dmean, a * (mu - mean), rtol=1e-5, atol=1e-8)


def test_vp_sde_ends_at_the_prior_and_starts_at_the_data():
    sde = VPSDE()
    x0, mu = torch.randn(3, 80, 10), torch.randn(3, 80, 10)
    mean, std = sde.marginal(x0, torch.ones(3), mu)
    remaining = math.exp(-(0.05 + 0.5 * 19.95) / 2)  # e^{-B(1)/2}, B(1) = 10.025
    assert torch.allclose(mean - mu, (x0 - mu) * remaining, atol=1e-6) and remaining < 0.007
    assert torch.allclose(std, torch.tensor(math.sqrt(1 - remaining**2)))
    mean, std = sde.marginal(x0, torch.zeros(3), mu)
    assert torch.allclose(mean, x0) and float(std.max()) == 0.0


def test_prior_logp_is_the_gaussian_density_and_respects_the_mask():
    for sde in SDES:
        mu, x = torch.randn(2, 4, 6), torch.randn(2, 4, 6)
        expected = torch.distributions.Normal(mu, sde.prior_std()).log_prob(x).flatten(1).sum(1)
        assert torch.allclose(sde.prior_logp(x, mu), expected, atol=1e-4)
        mask = torch.zeros(2, 1, 6)
        mask[:, :, :3] = 1
        half = torch.distributions.Normal(mu[..., :3], sde.prior_std()).log_prob(x[..., :3]).flatten(1).sum(1)
        assert torch.allclose(sde.prior_logp(x, mu, mask), half, atol=1e-4)


def test_prior_sample_temperature_and_generator():
    sde, mu = VPSDE(), torch.full((1, 80, 2000), 3.0)
    a = sde.prior_sample(mu, generator=torch.Generator().manual_seed(1))
    b = sde.prior_sample(mu, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert abs(a.mean().item() - 3.0) < 0.01 and abs(a.std().item() - 1.0) < 0.01
    narrow = sde.prior_sample(mu, temperature=2.0, generator=torch.Generator().manual_seed(1))
    assert abs(narrow.std().item() - 0.5) < 0.01


@pytest.mark.parametrize("sde", [VPSDE(0.05, 20.0), SubVPSDE(0.05, 20.0), VESDE(0.01, 50.0), VPSDE(1.0, 1.0)])
def test_time_at_inverts_the_half_log_snr_in_closed_form(sde):
    from tts_diffusion.sde import SDE

    for t in [1e-5, 0.01, 0.2, 0.5, 0.93, 1.0]:
        lam = sde.half_log_snr(t)
        assert abs(sde.time_at(lam, 1e-5) - t) < 1e-9
        assert abs(SDE.time_at(sde, lam, 1e-5) - t) < 1e-9  # the generic bisection agrees
