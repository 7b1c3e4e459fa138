"""Pictures of mel spectrograms, for TensorBoard, the CLI and the demo."""

from __future__ import annotations

import numpy as np


def mel_figure(mels: dict[str, np.ndarray], title: str | None = None):
    """One row per named (n_mels, frames) log-mel, on a shared colour scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    low = min(float(m.min()) for m in mels.values())
    high = max(float(m.max()) for m in mels.values())
    fig, axes = plt.subplots(len(mels), 1, figsize=(10, 2.2 * len(mels)), squeeze=False)
    for ax, (name, mel) in zip(axes[:, 0], mels.items()):
        image = ax.imshow(mel, origin="lower", aspect="auto", interpolation="none", vmin=low, vmax=high)
        ax.set_ylabel(name)
    axes[-1, 0].set_xlabel("frame")
    fig.colorbar(image, ax=axes[:, 0].tolist(), fraction=0.02)
    if title:
        fig.suptitle(title)
    return fig


def mel_image(mel: np.ndarray) -> np.ndarray:
    """An RGB picture (height, width, 3) of one mel, for a web page."""
    import matplotlib.pyplot as plt

    fig = mel_figure({"mel": mel})
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return image


def save_mel_png(path, mel: np.ndarray, title: str | None = None) -> None:
    import matplotlib.pyplot as plt

    from .files import atomic_path

    fig = mel_figure({"mel": mel}, title)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
