"""Samplers and the likelihood against the closed form for Gaussian data.

For x_0 ~ N(m, s^2 I) under the mean-shifted SDE, x_t ~ N(alpha_t m + (1 - alpha_t) mu,
(alpha_t^2 s^2 + sigma_t^2) I), so the score is known exactly:
grad log p_t(x) = -(x - mean_t) / var_t.
"""

import math

import pytest
import torch

from tts_diffusion.likelihood import log_likelihood
from tts_diffusion.options import EXPORTABLE, SAMPLERS
from tts_diffusion.sampling import METHODS, prior_draw, sample
from tts_diffusion.sde import VESDE, VPSDE, SubVPSDE

M, S = 1.5, 0.25


def gaussian(sde, m=M, s=S):
    def moments(t, like, mu):
        alpha, sigma = sde.alpha_sigma(t, like)
        mean = alpha * m + (1 - alpha) * mu
        return mean, alpha**2 * s**2 + sigma**2

    def score(x, t, mu):
        mean, var = moments(t, x, mu)
        return -(x - mean) / var

    return moments, score


TOLERANCES = {  # method, steps -> (mean, variance) tolerance for m = 1.5, s^2 = 0.0625
    ("ode", 10): (0.01, 0.004), ("ode-heun", 50): (0.01, 0.004), ("ode-euler", 100): (0.02, 0.006),
    ("sde", 200): (0.02, 0.006), ("pc", 100): (0.02, 0.006),
}


@pytest.mark.parametrize("method, steps", sorted(TOLERANCES))
def test_samples_have_the_data_mean_and_variance(method, steps):
    sde = VPSDE()
    _, score = gaussian(sde)
    mu = torch.full((16, 20, 25), -0.5, dtype=torch.float64)
    generator = torch.Generator().manual_seed(0)
    x, nfe = sample(lambda x, t: score(x, t, mu), prior_draw(mu, sde, generator=generator), mu, sde, method, steps, generator)
    mean_tol, var_tol = TOLERANCES[(method, steps)]
    assert abs(x.mean().item() - M) < mean_tol
    assert abs(x.var().item() - S**2) < var_tol
    assert nfe == {"ode-heun": 2 * steps, "pc": 2 * steps - 1}.get(method, steps) == SAMPLERS[method].nfe(steps)


def test_rk45_maps_to_the_prior_and_back():
    from scipy.integrate import solve_ivp


    sde = VPSDE()
    _, score = gaussian(sde)
    mu = torch.full((2, 4, 5), -0.5, dtype=torch.float64)
    x0 = M + S * torch.randn(2, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(3))

    def forward(t, y):
        x = torch.from_numpy(y).reshape(x0.shape)
        time = torch.full((2,), t, dtype=torch.float64)
        return sde.reverse_drift(x, time, mu, lambda z, tt: score(z, tt, mu), probability_flow=True).numpy().reshape(-1)

    x_T = torch.from_numpy(solve_ivp(forward, (1e-3, 1.0), x0.numpy().reshape(-1), rtol=1e-7, atol=1e-7).y[:, -1]).reshape(x0.shape)
    back, nfe = sample(lambda x, t: score(x, t, mu), x_T, mu, sde, "ode-rk45", rtol=1e-7, atol=1e-7)
    assert (back - x0).abs().max() < 1e-3 and nfe > 10


def same_start_runs():
    """A runner of any method from one prior draw (Gaussian data), and the precise ODE solution from it."""
    sde = VPSDE()
    _, score = gaussian(sde)
    mu = torch.full((4, 8, 8), -0.5, dtype=torch.float64)
    start = sde.prior_sample(mu, generator=torch.Generator().manual_seed(0))

    def run(method, steps, **kwargs):
        return sample(lambda x, t: score(x, t, mu), start, mu, sde, method, steps, **kwargs)[0]

    return run, run("ode-rk45", 1, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("method, order", [("ode-euler", 1), ("ode-heun", 2)])
def test_fixed_step_error_falls_at_the_solver_order(method, order):
    run, exact = same_start_runs()
    errors = [(run(method, n) - exact).abs().max().item() for n in (200, 400, 800)]
    ratios = [errors[i] / errors[i + 1] for i in range(2)]
    assert all(abs(math.log2(r) - order) < 0.25 for r in ratios), (errors, ratios)


def test_ode_solver_beats_heun_at_equal_nfe():
    run, exact = same_start_runs()
    for nfe in (4, 6, 10):
        ours = (run("ode", nfe) - exact).abs().max().item()
        heun = (run("ode-heun", nfe // 2) - exact).abs().max().item()
        assert ours < heun, (nfe, ours, heun)


def test_unknown_method_and_bad_steps():
    mu = torch.zeros(1, 2, 3)
    with pytest.raises(ValueError, match="unknown sampling method"):
        sample(lambda x, t: x, mu, mu, VPSDE(), "magic")
    with pytest.raises(ValueError, match="steps"):
        sample(lambda x, t: x, mu, mu, VPSDE(), "ode", 0)


@pytest.mark.parametrize("method,nfe", [("ode", 4), ("ode-euler", 4), ("sde", 4), ("ode-heun", 8), ("pc", 7)])
def test_score_evaluations_are_as_documented(method, nfe):
    mu = torch.zeros(1, 2, 3)
    assert sample(lambda x, t: -x, mu, mu, VPSDE(), method, 4)[1] == nfe


@pytest.mark.parametrize("method", METHODS)
def test_an_item_does_not_depend_on_its_batch(method):
    """With a generator per item and a mask, an item alone and in a padded batch give the same sample."""
    sde = VPSDE()
    _, score = gaussian(sde)
    rng = torch.Generator().manual_seed(5)
    mu_a, mu_b = torch.randn(1, 4, 5, generator=rng), torch.randn(1, 4, 8, generator=rng)
    mask_a = torch.ones(1, 1, 5)
    generators = [torch.Generator().manual_seed(1)]
    alone, _ = sample(lambda x, t: score(x, t, mu_a) * mask_a, prior_draw(mu_a, sde, 1.0, generators, mask_a), mu_a, sde,
                      method, 3, generators, mask_a)
    mu = torch.cat([torch.nn.functional.pad(mu_a, (0, 3)), mu_b])
    mask = torch.ones(2, 1, 8)
    mask[0, :, 5:] = 0
    generators = [torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)]
    batch, _ = sample(lambda x, t: score(x, t, mu) * mask, prior_draw(mu, sde, 1.0, generators, mask), mu, sde, method, 3,
                      generators, mask)
    tolerance = 1e-4 if method == "ode-rk45" else 1e-6  # rk45 adapts its steps to the whole batch's error
    assert torch.allclose(batch[0, :, :5], alone[0], atol=tolerance)


# The likelihood takes p_1 to be the prior exactly; these SDEs end close enough to it (e^{-B(1)/2} ~ 5e-5;
# the VE SDE does not move towards mu, so there mu is the data mean) that this bias is far below the tolerance.
@pytest.mark.parametrize("sde, mu_value", [(VPSDE(0.05, 40.0), -0.5), (SubVPSDE(0.05, 40.0), -0.5), (VESDE(0.01, 50.0), M)],
                         ids=["VPSDE", "SubVPSDE", "VESDE"])
def test_exact_likelihood_matches_the_closed_form(sde, mu_value):
    moments, score = gaussian(sde)
    mu = torch.full((3, 2, 3), mu_value, dtype=torch.float64)
    x0 = M + S * torch.randn(3, 2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    eps = 1e-5
    logp, bpd = log_likelihood(lambda x, t: score(x, t, mu), x0, mu, sde, hutchinson="exact", eps=eps, rtol=1e-7, atol=1e-7)
    mean, var = moments(torch.full((3,), eps, dtype=torch.float64), x0, mu)
    expected = torch.distributions.Normal(mean, var.sqrt()).log_prob(x0).flatten(1).sum(1)
    assert torch.allclose(logp, expected, rtol=0.01)
    assert torch.allclose(bpd, -expected / (6 * math.log(2)), rtol=0.01)


def test_hutchinson_likelihood_is_unbiased_within_tolerance():
    sde = VPSDE(0.05, 40.0)
    moments, score = gaussian(sde)
    mu = torch.full((4, 8, 10), -0.5, dtype=torch.float64)
    x0 = M + S * torch.randn(4, 8, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    mask = torch.ones(4, 1, 10, dtype=torch.float64)
    mask[1, :, 6:] = 0
    logp, _ = log_likelihood(lambda x, t: score(x, t, mu), x0, mu, sde, mask, "rademacher",
                             generator=torch.Generator().manual_seed(0))
    mean, var = moments(torch.full((4,), 1e-5, dtype=torch.float64), x0, mu)
    expected = (torch.distributions.Normal(mean, var.sqrt()).log_prob(x0) * mask).flatten(1).sum(1)
    # for a linear score the Hutchinson estimate of a diagonal Jacobian is exact: only solver error is left
    assert torch.allclose(logp, expected, rtol=0.01)


@pytest.mark.parametrize("method", METHODS)
def test_the_sampler_table_says_which_samplers_are_deterministic(method):
    """options.SAMPLERS is what the CLI, the ONNX export and the runtime's NFE rely on: a sampler it
    calls deterministic gives the same x_0 from the same x_init whatever its generator draws."""
    sde = VPSDE()
    _, score = gaussian(sde)
    mu = torch.full((2, 4, 6), -0.5, dtype=torch.float64)
    x_init = mu + torch.randn(mu.shape, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    a, b = (sample(lambda x, t: score(x, t, mu), x_init, mu, sde, method, 3, torch.Generator().manual_seed(seed))[0]
            for seed in (1, 2))
    assert torch.equal(a, b) == SAMPLERS[method].deterministic
    assert EXPORTABLE == ("ode", "ode-heun", "ode-euler")


@pytest.mark.parametrize("sde", [VPSDE(), SubVPSDE(), VESDE()], ids=["vp", "subvp", "ve"])
def test_schedules_run_from_one_to_eps_uniform_in_their_variable(sde):
    """uniform_times: equal steps of t; log_snr_times: equal steps of lambda = log(alpha / sigma),
    both from t = 1 down to eps, strictly decreasing."""
    from tts_diffusion.sampling import log_snr_times, uniform_times

    for schedule in (uniform_times, log_snr_times):
        ts = schedule(sde, 8, 1e-3)
        assert len(ts) == 9 and ts[0] == 1.0 and abs(ts[-1] - 1e-3) < 1e-9  # uniform_times is float32
        assert all(a > b for a, b in zip(ts, ts[1:]))
    steps = [b - a for a, b in zip(uniform_times(sde, 8, 1e-3), uniform_times(sde, 8, 1e-3)[1:])]
    assert max(steps) - min(steps) < 1e-6
    lambdas = [sde.half_log_snr(t) for t in log_snr_times(sde, 8, 1e-3)]
    gaps = [b - a for a, b in zip(lambdas, lambdas[1:])]
    assert min(gaps) > 0 and max(gaps) - min(gaps) < 1e-6 * abs(lambdas[-1] - lambdas[0])
