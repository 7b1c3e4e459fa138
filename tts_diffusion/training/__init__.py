"""Training machinery shared by the acoustic model and the vocoder: checkpoints, EMA, the loop."""
