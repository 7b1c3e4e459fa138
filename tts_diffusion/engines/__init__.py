"""The two engines of :mod:`tts_diffusion.pipeline`, side by side: :mod:`.torch_engine` (the model
in torch: every sampler, any device) and :mod:`.onnx_engine` (a voice exported as ONNX graphs,
run by onnxruntime and numpy, no torch). Each holds only the networks: ``encode``, ``decode``,
``vocode_each``. Importing this package imports neither."""
