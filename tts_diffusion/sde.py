"""Forward SDEs dX = f(X, t) dt + g(t) dW on t in [0, 1], with a prior mean ``mu``.

Following Grad-TTS, the VP and sub-VP SDEs are shifted so that they end near N(mu, I), where mu is
the text encoder's frame-aligned output; with mu = 0 they are the SDEs of Song et al. (2021).
Tensors are (batch, ...) and t has shape (batch,).
"""

from __future__ import annotations

import abc
import math

import torch


def _per_item(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Reshape t (batch,) to broadcast against x (batch, ...)."""
    return t.reshape(-1, *([1] * (x.dim() - 1)))


class SDE(abc.ABC):
    """A forward SDE with a Gaussian transition kernel p_0t(x_t | x_0) = N(mean, std^2 I)."""

    T: float = 1.0

    @abc.abstractmethod
    def drift(self, x: torch.Tensor, t: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
        """f(x, t)."""

    @abc.abstractmethod
    def diffusion(self, t: torch.Tensor) -> torch.Tensor:
        """g(t), shape (batch,)."""

    @abc.abstractmethod
    def marginal(self, x0: torch.Tensor, t: torch.Tensor, mu: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and std of X_t given X_0 = x0; std broadcasts against x0."""

    def alpha_sigma(self, t: torch.Tensor, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """X_t = alpha_t X_0 + (1 - alpha_t) mu + sigma_t eps: alpha_t and sigma_t, shaped (batch, 1, ...)
        to broadcast against ``like``."""
        one = torch.ones((t.shape[0],) + (1,) * (like.dim() - 1), dtype=like.dtype, device=like.device)
        mean, std = self.marginal(one, t, torch.zeros_like(one))
        return mean, std.expand_as(one)

    def reverse_drift(self, x: torch.Tensor, t: torch.Tensor, mu: torch.Tensor, score, probability_flow: bool = False):
        """Drift of the process run backwards in time, for a score s(x, t) = grad log p_t(x):
        f(x, t) - g(t)^2 s(x, t) for the reverse SDE (Anderson 1982), whose diffusion is g(t);
        f(x, t) - 1/2 g(t)^2 s(x, t) for the probability-flow ODE (Song et al. 2021, eq. 13)."""
        g2 = _per_item(self.diffusion(t), x) ** 2
        return self.drift(x, t, mu) - (0.5 if probability_flow else 1.0) * g2 * score(x, t)

    @abc.abstractmethod
    def prior_std(self) -> float:
        """Standard deviation of the prior N(mu, prior_std^2 I) at t = T."""

    def prior_sample(self, mu: torch.Tensor, temperature: float = 1.0,
                     generator: torch.Generator | None = None) -> torch.Tensor:
        """x_T = mu + (prior_std / temperature) z, z ~ N(0, I). As in Grad-TTS, a temperature
        above 1 narrows the prior."""
        z = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + self.prior_std() / temperature * z

    def prior_logp(self, x: torch.Tensor, mu: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """log N(x; mu, prior_std^2 I) summed over each item's (unmasked) dimensions, in nats."""
        s = self.prior_std()
        elementwise = -0.5 * ((x - mu) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)
        if mask is not None:
            elementwise = elementwise * mask
        return elementwise.flatten(1).sum(1)

    def half_log_snr(self, t: float) -> float:
        """lambda(t) = log(alpha_t / sigma_t), which decreases in t."""
        alpha, sigma = self.alpha_sigma(torch.tensor([t], dtype=torch.float64), torch.zeros(1, dtype=torch.float64))
        return float((alpha / sigma).log())

    def time_at(self, lam: float, eps: float) -> float:
        """The t in [eps, 1] with lambda(t) = lam, by bisection; the SDEs below invert lambda in closed form."""
        lo, hi = eps, 1.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if self.half_log_snr(mid) > lam else (lo, mid)
        return 0.5 * (lo + hi)


class VPSDE(SDE):
    """dX = 1/2 beta(t) (mu - X) dt + sqrt(beta(t)) dW, beta(t) = beta_min + (beta_max - beta_min) t.

    X_t | X_0 ~ N(X_0 e^{-B(t)/2} + mu (1 - e^{-B(t)/2}), (1 - e^{-B(t)}) I), B(t) = int_0^t beta.
    """

    def __init__(self, beta_min: float = 0.05, beta_max: float = 20.0):
        self.beta_min, self.beta_max = beta_min, beta_max

    def beta(self, t: torch.Tensor) -> torch.Tensor:
        return self.beta_min + (self.beta_max - self.beta_min) * t

    def integral_beta(self, t: torch.Tensor) -> torch.Tensor:
        """B(t) = beta_min t + (beta_max - beta_min) t^2 / 2."""
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t**2

    def drift(self, x, t, mu):
        return 0.5 * _per_item(self.beta(t), x) * (mu - x)

    def diffusion(self, t):
        return self.beta(t).sqrt()

    def marginal(self, x0, t, mu):
        decay = torch.exp(-0.5 * _per_item(self.integral_beta(t), x0))
        return x0 * decay + mu * (1 - decay), torch.sqrt(1 - decay**2)

    def prior_std(self):
        return 1.0

    def _time_of_integral(self, b: float) -> float:
        """The t with B(t) = b: the positive root of (beta_max - beta_min) t^2 / 2 + beta_min t - b."""
        slope = self.beta_max - self.beta_min
        if slope == 0:
            return b / self.beta_min
        return (math.sqrt(self.beta_min**2 + 2 * slope * b) - self.beta_min) / slope

    def time_at(self, lam: float, eps: float) -> float:
        """sigma^2 / alpha^2 = e^B - 1 = e^{-2 lambda}, so B = log(1 + e^{-2 lambda})."""
        return min(max(self._time_of_integral(math.log1p(math.exp(-2 * lam))), eps), 1.0)


class SubVPSDE(VPSDE):
    """dX = 1/2 beta(t) (mu - X) dt + sqrt(beta(t) (1 - e^{-2 B(t)})) dW.

    Same mean as the VP SDE; std (1 - e^{-B(t)}), never above the VP SDE's.
    """

    def diffusion(self, t):
        return torch.sqrt(self.beta(t) * (1 - torch.exp(-2 * self.integral_beta(t))))

    def marginal(self, x0, t, mu):
        mean, _ = super().marginal(x0, t, mu)
        return mean, 1 - torch.exp(-_per_item(self.integral_beta(t), x0))

    def time_at(self, lam: float, eps: float) -> float:
        """With u = alpha = e^{-B/2}: e^lambda = u / (1 - u^2), so e^lambda u^2 + u - e^lambda = 0."""
        e = math.exp(lam)
        u = (math.sqrt(1 + 4 * e * e) - 1) / (2 * e)
        return min(max(self._time_of_integral(-2 * math.log(u)), eps), 1.0)


class VESDE(SDE):
    """dX = sqrt(d sigma^2(t) / dt) dW, sigma(t) = sigma_min (sigma_max / sigma_min)^t.

    X_t | X_0 ~ N(X_0, (sigma(t)^2 - sigma_min^2) I). The drift is zero, so mu only enters through
    the prior N(mu, sigma_max^2 I), which stands for N(x_0, sigma_max^2 I) when sigma_max is far
    larger than the distance between the data and mu.
    """

    def __init__(self, sigma_min: float = 0.01, sigma_max: float = 50.0):
        self.sigma_min, self.sigma_max = sigma_min, sigma_max

    def sigma(self, t: torch.Tensor) -> torch.Tensor:
        return self.sigma_min * (self.sigma_max / self.sigma_min) ** t

    def drift(self, x, t, mu):
        return torch.zeros_like(x)

    def diffusion(self, t):
        return self.sigma(t) * math.sqrt(2 * math.log(self.sigma_max / self.sigma_min))

    def marginal(self, x0, t, mu):
        std = torch.sqrt(self.sigma(t) ** 2 - self.sigma_min**2)
        return x0, _per_item(std, x0)

    def prior_std(self):
        return self.sigma_max

    def time_at(self, lam: float, eps: float) -> float:
        """alpha = 1 and sigma_t^2 = sigma(t)^2 - sigma_min^2 = e^{-2 lambda}."""
        sigma = math.sqrt(math.exp(-2 * lam) + self.sigma_min**2)
        return min(max(math.log(sigma / self.sigma_min) / math.log(self.sigma_max / self.sigma_min), eps), 1.0)
