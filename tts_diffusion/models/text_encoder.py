"""Text encoder (Grad-TTS): token + language embeddings, a conv prenet, a transformer with rotary
positions, and a projection to the per-token prior mean mu (n_mels wide); plus the duration
predictor that reads the detached encoder output."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .layers import ChannelLayerNorm, rotary


class ConvBlock(nn.Module):
    """Residual stack of (conv, ReLU, LayerNorm, dropout), masked."""

    def __init__(self, channels: int, kernel_size: int, n_layers: int, dropout: float):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
                                   for _ in range(n_layers))
        self.norms = nn.ModuleList(ChannelLayerNorm(channels) for _ in range(n_layers))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        residual = x
        for conv, norm in zip(self.convs, self.norms):
            x = self.dropout(norm(F.relu(conv(x * mask))))
        return (x + residual) * mask


class SelfAttention(nn.Module):
    """Multi-head self-attention with rotary positions on queries and keys."""

    def __init__(self, channels: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads, self.dropout = n_heads, dropout
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.out = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, c, t = x.shape
        q, k, v = self.qkv(x).reshape(b, 3, self.n_heads, c // self.n_heads, t).transpose(-1, -2).unbind(1)
        attn_mask = mask.bool()[:, None, :, :]  # (b, 1, 1, t): keys outside the sequence are ignored
        y = F.scaled_dot_product_attention(rotary(q), rotary(k), v, attn_mask=attn_mask,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.out(y.transpose(-1, -2).reshape(b, c, t))


class TransformerLayer(nn.Module):
    def __init__(self, channels: int, filter_channels: int, n_heads: int, kernel_size: int, dropout: float):
        super().__init__()
        self.attention = SelfAttention(channels, n_heads, dropout)
        self.norm1, self.norm2 = ChannelLayerNorm(channels), ChannelLayerNorm(channels)
        self.ffn_in = nn.Conv1d(channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.ffn_out = nn.Conv1d(filter_channels, channels, kernel_size, padding=kernel_size // 2)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.dropout(self.attention(x, mask)))
        y = self.ffn_out(self.dropout(F.relu(self.ffn_in(x * mask))) * mask)
        return self.norm2(x + self.dropout(y)) * mask


class DurationPredictor(nn.Module):
    """Predicts log(1 + frames per token) from the detached encoder output."""

    def __init__(self, channels: int, filter_channels: int, kernel_size: int, dropout: float):
        super().__init__()
        self.conv1 = nn.Conv1d(channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.conv2 = nn.Conv1d(filter_channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.norm1, self.norm2 = ChannelLayerNorm(filter_channels), ChannelLayerNorm(filter_channels)
        self.proj = nn.Conv1d(filter_channels, 1, 1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.norm1(F.relu(self.conv1(x * mask))))
        x = self.dropout(self.norm2(F.relu(self.conv2(x * mask))))
        return self.proj(x * mask) * mask


class TextEncoder(nn.Module):
    """ids (batch, tokens), langs, mask (batch, 1, tokens) -> mu (batch, n_mels, tokens), log-duration."""

    def __init__(self, n_symbols: int, n_languages: int, n_mels: int, channels: int = 192,
                 filter_channels: int = 768, n_heads: int = 2, n_layers: int = 6, kernel_size: int = 3,
                 dropout: float = 0.1, duration_filter_channels: int = 256):
        super().__init__()
        self.embedding = nn.Embedding(n_symbols, channels)
        self.language = nn.Embedding(n_languages, channels)
        nn.init.normal_(self.embedding.weight, 0.0, channels**-0.5)
        nn.init.normal_(self.language.weight, 0.0, channels**-0.5)
        self.prenet = ConvBlock(channels, 5, 3, 0.5)
        self.layers = nn.ModuleList(
            TransformerLayer(channels, filter_channels, n_heads, kernel_size, dropout) for _ in range(n_layers)
        )
        self.proj_mu = nn.Conv1d(channels, n_mels, 1)
        self.duration = DurationPredictor(channels, duration_filter_channels, kernel_size, dropout)

    def forward(self, ids: torch.Tensor, langs: torch.Tensor, mask: torch.Tensor,
                speaker: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = (self.embedding(ids) + self.language(langs)).transpose(1, 2) * self.embedding.embedding_dim**0.5
        x = self.prenet(x, mask)
        if speaker is not None:  # (batch, channels): the voice, added to every token
            x = (x + speaker[:, :, None]) * mask
        for layer in self.layers:
            x = layer(x, mask)
        return self.proj_mu(x) * mask, self.duration(x.detach(), mask)
