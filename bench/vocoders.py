"""Vocoders judged by voice, and the default rule (docs/vocoders.md).

    python bench/vocoders.py --model tts_diffusion/voices/default --judges \\
        --vocoders vocos+griffinlim runs/vocos_voices_cpu      # end to end on every voice: the default rule
    python bench/vocoders.py --filelist data/joe/val.txt data/kokoro_tebukuro/val.txt --items 40 --judges \\
        --vocoders vocos+griffinlim runs/vocos_voices_cpu      # copy-synthesis of held-out recordings

Groups: with ``--model``, each voice of the model speaking its language's held-out sentences
(bench/heldout.py: 100 Korean, 102 English; default options, seed k for sentence k), the mels made
once and given to every vocoder; with ``--filelist``, each speaker and language of the filelists
(its first ``--items`` clips), compared with the original clip by PESQ wide-band and STOI (both at
16 kHz, from the pesq and pystoi packages). ``--judges`` (bench/judges.py): DistillMOS, and Whisper
base's CER (Korean) or WER (English) of each sentence. Random-weight HiFi-GAN V1/V2/V3 rows
(``--sizes``) give the speed of each size only.

**The default rule**: a vocoder replaces the baseline (``--baseline``: today's default) when, for
every voice, end to end on at least 100 held-out sentences, its mean DistillMOS is at least 0.3 above
the baseline's and its recognizer error is not worse beyond a paired bootstrap: the 95% interval of
(its error - the baseline's) over the same sentences reaches zero or below.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from heldout import heldout
from report import publish
from tts_diffusion.audio import MelConfig, load_wav
from tts_diffusion.data import read_filelists
from tts_diffusion.options import SynthesisOptions
from tts_diffusion.spectrogram import MelSpectrogram
from tts_diffusion.vocoder import VARIANTS, Generator, load_vocoder
from tts_diffusion.vocoder.load import default_vocoder

MOS_GAIN = 0.3  # the rule's DistillMOS margin
MIN_SENTENCES = 100  # the rule's sentences per voice


@dataclass
class Group:
    """The sentences of one voice (end to end) or one recorded speaker (copy-synthesis)."""

    name: str
    lang: str
    texts: list[str]
    mels: list[torch.Tensor]
    clips: list[np.ndarray] = field(default_factory=list)  # the recordings, for copy-synthesis


def voice_groups(model: str, voices: list[str] | None, steps: int, limit: int | None) -> list[Group]:
    from tts_diffusion.api import TTS

    tts = TTS.from_pretrained(model)
    groups = []
    for voice in tts.voices:
        if voices and voice.name not in voices:
            continue
        texts = heldout(voice.language)[:limit]
        options = [SynthesisOptions(lang=voice.language, voice=voice.name, steps=steps, seed=k) for k in range(len(texts))]
        mels = [torch.from_numpy(tts.synthesize(t, o).mel) for t, o in zip(texts, options)]
        groups.append(Group(voice.name, voice.language, texts, mels))
    return groups


def clip_groups(filelists: list[str], items: int, mel_config: MelConfig) -> list[Group]:
    to_mel = MelSpectrogram(mel_config)
    speakers: dict[tuple[str, str], list] = {}
    for item in read_filelists(filelists):
        speakers.setdefault((item.speaker or "speaker", item.lang), []).append(item)
    groups = []
    for (speaker, lang), utterances in speakers.items():
        utterances = utterances[:items]
        clips = [load_wav(u.wav_path, mel_config.sample_rate) for u in utterances]
        groups.append(Group(f"{speaker} ({lang})", lang, [u.text for u in utterances],
                            [to_mel(torch.from_numpy(c)) for c in clips], clips))
    return groups


def copy_scores(reference: np.ndarray, degraded: np.ndarray, rate: int) -> tuple[float, float]:
    """PESQ wide-band and STOI of ``degraded`` against ``reference``, both resampled to 16 kHz."""
    import librosa
    from pesq import pesq
    from pystoi import stoi

    n = min(len(reference), len(degraded))
    ref16 = librosa.resample(reference[:n], orig_sr=rate, target_sr=16000)
    deg16 = librosa.resample(degraded[:n], orig_sr=rate, target_sr=16000)
    return pesq(16000, ref16, deg16, "wb"), stoi(ref16, deg16, 16000, extended=False)


class Judges:
    """DistillMOS and Whisper base (one recognizer per language) of a group's audio."""

    def __init__(self, threads: int):
        from judges import DistillMOS

        self.mos, self.threads, self.recognizers = DistillMOS(), threads, {}

    def __call__(self, group: Group, audios: list[np.ndarray], rate: int) -> dict:
        from judges import Whisper, error_rate, sentence_errors

        if group.lang not in self.recognizers:
            self.recognizers[group.lang] = Whisper(self.threads, size="base", language=group.lang)
        heard = [self.recognizers[group.lang](a, rate) for a in audios]
        errors = sentence_errors(group.lang, group.texts, heard)
        mos = float(np.mean([self.mos(a, rate) for a in audios]))
        return {"mos": mos, "errors": errors, "error": error_rate(errors)}


def verdicts(results: dict[tuple[str, str], dict], groups: list[Group], baseline: str, specs: list[str],
             end_to_end: bool) -> str:
    """Each vocoder against the baseline, group by group (``results[(group, spec)]``: "mos", "error",
    "errors" as :class:`Judges` gives them), and end to end whether it meets the default rule."""
    from judges import paired_bootstrap

    lines = []
    for spec in (s for s in specs if s != baseline):
        meets, said = True, []
        for group in groups:
            base, mine = results[(group.name, baseline)], results[(group.name, spec)]
            low, high = paired_bootstrap(base["errors"], mine["errors"])
            gain = mine["mos"] - base["mos"]
            meets = meets and gain >= MOS_GAIN - 1e-9 and low <= 0 and len(group.texts) >= MIN_SENTENCES
            said.append(f"{group.name} DistillMOS {gain:+.2f}, {'CER' if group.lang == 'ko' else 'WER'} "
                        f"{mine['error'] - base['error']:+.1%} (95% interval {low:+.1%} to {high:+.1%})")
        verdict = (f": {'meets' if meets else 'does not meet'} the default rule" if end_to_end else "")
        lines.append(f"- {spec} against {baseline}: " + "; ".join(said) + verdict + ".")
    return "\n" + "\n".join(lines) + "\n" if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--filelist", nargs="+", help="copy-synthesis of the first --items clips of each speaker")
    source.add_argument("--model", help="end to end: this model's voices speaking the held-out sentences")
    parser.add_argument("--items", type=int, default=20, help="with --filelist: clips per speaker and language")
    parser.add_argument("--voices", help="with --model: VOICE,... (default: all)")
    parser.add_argument("--limit", type=int, help="with --model: the first N held-out sentences only")
    parser.add_argument("--steps", type=int, default=SynthesisOptions().steps, help="with --model: sampler steps")
    parser.add_argument("--vocoders", nargs="+", default=[])
    parser.add_argument("--baseline", default=default_vocoder(MelConfig()), help="today's default (the rule's baseline)")
    parser.add_argument("--sizes", action="store_true", help="also time random-weight HiFi-GAN V1, V2, V3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--judges", action="store_true", help="also DistillMOS and Whisper base CER / WER")
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    if args.model and not args.judges:
        parser.error("--model needs --judges: with no reference audio only the judges can score")
    torch.set_num_threads(args.threads)
    mel_config = MelConfig()
    specs = list(dict.fromkeys([args.baseline, *args.vocoders]))
    if args.model:
        groups = voice_groups(args.model, args.voices and args.voices.split(","), args.steps, args.limit)
        source = f"`{args.model}`'s voices ({args.steps} steps), held-out sentences"
    else:
        groups = clip_groups(args.filelist, args.items, mel_config)
        source = f"held-out clips of {', '.join(f'`{f}`' for f in args.filelist)}"
    candidates = [(spec, load_vocoder(spec, mel_config)) for spec in specs]
    if args.sizes:
        candidates += [(f"HiFi-GAN {name.upper()} (random weights: speed only)", Generator(cfg).eval())
                       for name, cfg in VARIANTS.items()]
    judge = Judges(args.threads) if args.judges else None
    rows, results = [], {}
    for group in groups:
        seconds = sum(m.shape[-1] for m in group.mels) * mel_config.hop_length / mel_config.sample_rate
        label = f"{group.name}, {len(group.mels)} sentences, {seconds:.0f} s"
        if judge and group.clips:
            r = results[(group.name, "original")] = judge(group, group.clips, mel_config.sample_rate)
            rows.append(f"| {label} | original | | | | {r['mos']:.2f} | {r['error']:.1%} |")
        for name, vocoder in candidates:
            wall, audios = 0.0, []
            for mel in group.mels:
                start = time.perf_counter()
                with torch.no_grad():
                    audios.append(vocoder(mel[None]).reshape(-1).numpy())
                wall += time.perf_counter() - start
            copies = [copy_scores(c, a, mel_config.sample_rate) for c, a in zip(group.clips, audios)]
            quality = " | ".join(f"{v:.3f}" for v in np.mean(copies, axis=0)) if copies else "– | –"
            judged = ""
            if judge:
                r = results[(group.name, name)] = judge(group, audios, mel_config.sample_rate)
                judged = f" {r['mos']:.2f} | {r['error']:.1%} |"
            rows.append(f"| {label} | {name} | {wall / seconds:.4f} | {quality} |{judged}")
            print(rows[-1], flush=True)
    header = "| voice | vocoder | real-time factor | PESQ-wb | STOI |" + (" DistillMOS | CER / WER |" if judge else "")
    table = (f"{source}, {args.threads} CPU threads; CER (Korean) and WER (English) by Whisper base.\n\n"
             + header + "\n|" + " --- |" * header.count(" |") + "\n" + "\n".join(rows) + "\n"
             + (verdicts(results, groups, args.baseline, args.vocoders, bool(args.model)) if judge else ""))
    publish("Vocoders", table, args.out)


if __name__ == "__main__":
    main()
