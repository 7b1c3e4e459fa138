"""The torch-free runtime: a voice exported by ``python -m tts_diffusion.export --onnx`` runs through
onnxruntime and numpy (:class:`OnnxBackend`), behind the same :class:`tts_diffusion.TTS`."""

from .onnx_backend import FORMAT, OnnxBackend, is_onnx_voice

__all__ = ["FORMAT", "OnnxBackend", "is_onnx_voice"]
