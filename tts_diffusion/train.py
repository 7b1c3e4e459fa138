"""Train the acoustic model:  python -m tts_diffusion.train RECIPE.yaml [key.sub=value ...]

The trainer lives in :mod:`tts_diffusion.training.acoustic`; this module is its command.
"""

import sys

from .training.acoustic import main

if __name__ == "__main__":
    sys.exit(main())
