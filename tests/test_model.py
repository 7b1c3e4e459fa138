"""The acoustic model's parts: masks, durations, the preconditioned noise estimate, the U-Nets."""

import math

import pytest
import torch

from tts_diffusion.models.layers import rotary, sequence_mask
from tts_diffusion.models.residual_net import ResidualUNet
from tts_diffusion.models.tts import DecoderConfig, EncoderConfig, GradTTS, ModelConfig, duration_path

SMALL = ModelConfig(encoder=EncoderConfig(channels=32, filter_channels=64, n_layers=2, duration_filter_channels=32),
                    decoder=DecoderConfig(channels=[32, 64]), segment_frames=0)


def small_model(**changes):
    torch.manual_seed(0)
    config = ModelConfig(**{**SMALL.__dict__, **changes})
    return GradTTS(n_symbols=20, n_languages=2, n_mels=16, config=config).eval()


def test_encoder_ignores_padding():
    model = small_model()
    ids = torch.randint(1, 20, (1, 7))
    alone, log_w_alone, _ = model.encode(ids, torch.zeros_like(ids), torch.tensor([7]))
    padded_ids = torch.cat([ids, torch.randint(1, 20, (1, 5))], dim=1)
    batch_ids = torch.cat([padded_ids, torch.randint(1, 20, (1, 12))])
    mu, log_w, mask = model.encode(batch_ids, torch.zeros_like(batch_ids), torch.tensor([7, 12]))
    assert torch.allclose(mu[0, :, :7], alone[0], atol=1e-5)
    assert torch.allclose(log_w[0, :, :7], log_w_alone[0], atol=1e-5)
    assert torch.all(mu[0, :, 7:] == 0) and mask[0, 0].tolist() == [1.0] * 7 + [0.0] * 5


def test_duration_path_and_length_scale():
    durations = torch.tensor([[2, 1, 3, 0]])
    x_mask = torch.tensor([[[1.0, 1.0, 1.0, 0.0]]])
    y_mask = sequence_mask(torch.tensor([6])).unsqueeze(1).float()
    path = duration_path(durations, x_mask, y_mask)[0]
    assert path.tolist() == [[1, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]]
    model = small_model()
    ids = torch.randint(1, 20, (1, 9))
    with torch.no_grad():
        model.encoder.duration.proj.bias.fill_(math.log(4.0))
        model.encoder.duration.proj.weight.zero_()
    mu_y, y_mask, durations = model.prior(ids, torch.zeros_like(ids), torch.tensor([9]))
    assert mu_y.shape[-1] == 9 * 4 and y_mask.sum() == 36 and durations.tolist() == [[4] * 9]
    slow, *_ = model.prior(ids, torch.zeros_like(ids), torch.tensor([9]), length_scale=1.5)
    assert slow.shape[-1] == 9 * 6


def test_preconditioning_gives_the_exact_noise_estimate_for_gaussian_data():
    """With F = 0, eps_theta = c_skip y_t is E[eps | y_t] for y_0 ~ N(0, sigma_d^2): its error is
    1 - sigma^2 / (alpha^2 sigma_d^2 + sigma^2) per dimension."""
    model = small_model(sigma_data=0.8)
    torch.nn.init.zeros_(model.decoder.final[-1].weight)
    torch.nn.init.zeros_(model.decoder.final[-1].bias)
    g = torch.Generator().manual_seed(0)
    for t_value in (0.05, 0.3, 0.9):
        mu = torch.randn(64, 16, 32, generator=g)
        x0 = mu + 0.8 * torch.randn(64, 16, 32, generator=g)
        t = torch.full((64,), t_value)
        eps = torch.randn(64, 16, 32, generator=g)
        mean, std = model.sde.marginal(x0, t, mu)
        with torch.no_grad():
            estimate = model.eps(mean + std * eps, t, mu, torch.ones(64, 1, 32))
        alpha, sigma = (v.flatten()[0].item() for v in model.sde.alpha_sigma(t, mu))
        expected = 1 - sigma**2 / (alpha**2 * 0.64 + sigma**2)
        assert abs(((estimate - eps) ** 2).mean().item() - expected) < 0.02 * max(expected, 0.05)


@pytest.mark.parametrize("kind, channels", [("unet1d", [32, 64]), ("unet1d", [32, 32, 64]), ("unet2d", [8, 16])])
def test_residual_net_shapes_and_mask(kind, channels):
    torch.manual_seed(0)
    net = ResidualUNet(16, kind, tuple(channels), attention=kind == "unet2d").eval()
    y, mu = torch.randn(2, 16, 37), torch.randn(2, 16, 37)
    mask = sequence_mask(torch.tensor([37, 20]), 37).unsqueeze(1).float()
    t = torch.rand(2)
    out = net(y, mask, mu, t)
    assert out.shape == (2, 16, 37)
    alone = net(y[1:, :, :20], torch.ones(1, 1, 20), mu[1:, :, :20], t[1:])  # the short item by itself
    assert torch.allclose(out[1, :, :20], alone[0], atol=1e-4) and torch.all(out[1, :, 20:] == 0)


def test_residual_net_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown score network"):
        ResidualUNet(16, "transformer")


def test_compute_loss_is_finite_and_differentiable():
    model = small_model(segment_frames=24).train()
    ids = torch.randint(1, 20, (2, 10))
    mels = torch.randn(2, 16, 50) - 5
    losses = model.compute_loss(ids, torch.zeros_like(ids), torch.tensor([10, 6]), mels, torch.tensor([50, 30]),
                                generator=torch.Generator().manual_seed(0))
    assert set(losses) == {"duration", "prior", "diffusion"}
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    for part in (model.encoder, model.decoder):  # the duration and prior losses train the encoder too
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in part.parameters() if p.requires_grad)
    assert any(p.grad.abs().sum() > 0 for p in model.encoder.parameters() if p.requires_grad)


def test_rotary_keeps_norms_and_encodes_relative_position():
    q = torch.randn(1, 1, 1, 8).repeat(1, 1, 6, 1)
    k = torch.randn(1, 1, 1, 8).repeat(1, 1, 6, 1)
    rq, rk = rotary(q), rotary(k)
    assert torch.allclose(rq.norm(dim=-1), q.norm(dim=-1), atol=1e-5)
    dots = (rq[0, 0] @ rk[0, 0].T)
    assert torch.allclose(dots[0, 2], dots[3, 5], atol=1e-5) and torch.allclose(dots[1, 1], dots[4, 4], atol=1e-5)


def test_synthesize_returns_masked_mel_and_nfe():
    """In a batch of two lengths, each item's mel and mu are zero past its own frames (the mask), the
    mask covers the frames its durations give (none past its tokens), and the sampler made NFE evaluations."""
    model = small_model()
    ids = torch.randint(1, 20, (2, 8))
    mel, mu, mask, durations, nfe = model.synthesize(ids, torch.zeros_like(ids), torch.tensor([8, 4]), "ode-euler", 3,
                                          generator=torch.Generator().manual_seed(0))
    assert mel.shape == mu.shape and nfe == 3 and torch.isfinite(mel).all()
    frames = mask[:, 0].sum(-1)
    assert durations.sum(1).tolist() == frames.tolist() and (durations[1, 4:] == 0).all() and (durations[:, :4] >= 1).all()
    assert frames[0] > frames[1] > 0 and mask.shape[-1] >= frames.max()  # the longer text has more frames
    for b in range(2):
        inside, outside = mel[b, :, : int(frames[b])], mel[b, :, int(frames[b]):]
        assert (mask[b, 0, : int(frames[b])] == 1).all() and (mask[b, 0, int(frames[b]):] == 0).all()
        assert inside.abs().sum() > 0 and (outside == 0).all() and (mu[b, :, int(frames[b]):] == 0).all()


@pytest.mark.parametrize("kind, channels", [("unet1d", [32, 64]), ("unet2d", [8, 16])])
def test_residual_net_output_does_not_depend_on_padding(kind, channels):
    torch.manual_seed(0)
    net = ResidualUNet(16, kind, tuple(channels), attention=True).eval()
    y, mu, t = torch.randn(1, 16, 21), torch.randn(1, 16, 21), torch.rand(1)
    alone = net(y, torch.ones(1, 1, 21), mu, t)
    padded = torch.cat([y, 5 * torch.randn(1, 16, 11)], dim=-1)  # junk where the mask is zero
    mu_padded = torch.cat([mu, 5 * torch.randn(1, 16, 11)], dim=-1)
    mask = sequence_mask(torch.tensor([21]), 32).unsqueeze(1).float()
    assert torch.allclose(net(padded, mask, mu_padded, t)[..., :21], alone, atol=1e-4)


@pytest.mark.parametrize("shape", [(3, 32, 40), (2, 16, 10, 40)])
def test_masked_group_norm_is_group_norm_inside_the_mask_in_value_and_gradient(shape):
    """The padded form (junk frames masked out) gives F.group_norm of the unpadded input, and the
    same gradients for the input and both affine parameters."""
    from tts_diffusion.models.residual_net import MaskedGroupNorm

    torch.manual_seed(0)
    norm = MaskedGroupNorm(8, shape[1])
    torch.nn.init.normal_(norm.weight)
    torch.nn.init.normal_(norm.bias)
    x = (torch.randn(shape) * 3 + 1).requires_grad_()
    junk = 10 * torch.randn(*shape[:-1], 7)
    mask = torch.cat([torch.ones(shape[0], 1, *([1] * (len(shape) - 3)), shape[-1]),
                      torch.zeros(shape[0], 1, *([1] * (len(shape) - 3)), 7)], dim=-1)
    padded = norm(torch.cat([x, junk], dim=-1), mask)[..., : shape[-1]]
    weights = torch.randn(shape)
    grads = torch.autograd.grad((padded * weights).sum(), [x, norm.weight, norm.bias])
    plain = torch.nn.functional.group_norm(x, 8, norm.weight, norm.bias, norm.eps)
    expected = torch.autograd.grad((plain * weights).sum(), [x, norm.weight, norm.bias])
    assert torch.allclose(padded, plain, atol=2e-5)
    assert all(torch.allclose(a, b, atol=2e-4) for a, b in zip(grads, expected))
    assert torch.equal(norm(x, torch.ones_like(mask[..., : shape[-1]])), plain)  # a full mask is group_norm itself


def test_mish_is_one_function_with_and_without_autograd():
    from tts_diffusion.models.layers import Mish

    x = torch.linspace(-30, 30, 1001, dtype=torch.float64).requires_grad_()
    with torch.no_grad():
        plain = Mish()(x)
        extremes = torch.tensor([-1e4, -100.0, 19.0, 21.0, 100.0, 1e4, float("inf")])
        assert torch.equal(Mish()(extremes), torch.nn.functional.mish(extremes))  # no overflow at either end
    fused = Mish()(x)
    assert torch.allclose(plain, fused, atol=1e-12) and torch.allclose(fused, torch.nn.functional.mish(x), atol=1e-12)
    (grad,) = torch.autograd.grad(fused.sum(), x)
    assert torch.allclose(grad, torch.autograd.grad((x * torch.tanh(torch.nn.functional.softplus(x))).sum(), x)[0])
