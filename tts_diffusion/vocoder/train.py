"""Train a GAN vocoder:  python -m tts_diffusion.vocoder.train RECIPE.yaml [key=value ...]

The trainer lives in :mod:`tts_diffusion.training.vocoder`; this module is its command.
"""

import sys

from ..training.vocoder import main

if __name__ == "__main__":
    sys.exit(main())
