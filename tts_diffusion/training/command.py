"""The command line both training programs share: RECIPE.yaml [key=value ...] [--device D]."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from ..config import load_config
from .loop import TrainingError


def run_training(prog: str, description: str, config_class: type, train: Callable[[object], str],
                 argv: list[str] | None = None) -> int:
    """Parse, load the recipe, train; one-line errors (exit 2), 130 when interrupted."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("recipe", help="YAML recipe, e.g. recipes/espeak_cpu.yaml")
    parser.add_argument("overrides", nargs="*", help="dotted overrides, e.g. train.max_steps=100")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: the recipe's train.device)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    overrides = list(args.overrides) + ([f"train.device={args.device}"] if args.device else [])
    try:
        config = load_config(config_class, args.recipe, overrides)
        result = train(config)
    except (ValueError, TrainingError) as err:  # config, corpus and audio errors are ValueErrors
        print(f"error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"training {result} at {config.run_dir}", file=sys.stderr)
    return 0 if result == "done" else 130
