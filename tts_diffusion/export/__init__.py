"""Everything that writes a voice for others to run: ``python -m tts_diffusion.export`` (:mod:`.command`:
one ``.safetensors`` file, or with ``--onnx`` the graphs of :mod:`.onnx_graphs`, their convolutions in
int8 with ``--int8``, :mod:`.int8`), and the user's cache of the bundled voice's ONNX form
(:mod:`.cache`). Importing this package imports nothing else: the torch-free engine reads the cache."""
