"""``tts-say``: speak Korean or English text to a WAV file, or stream it to standard output."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields

from .options import DEFAULTS, LANGS, MAX_TEXT_CHARS, METHODS, SynthesisOptions, option_help

EPILOG = """examples:
  tts-say "오늘 서울의 기온은 영하 3.5도입니다." -o news.wav
  tts-say "The news at 9:30 pm." --lang en -o news.wav --steps 20 --seed 1
  tts-say -f article.txt --raw -o - | aplay -r 22050 -f S16_LE -c 1   # speaks after the first sentence
  tts-say -f article.txt -o article.wav --subtitles article.srt --timestamps article.json
  tts-say --ssml '<speak>속보입니다.<break time="700ms"/><prosody rate="slow">천천히</prosody></speak>'
  tts-say --list-voices"""
CHOICES = {"method": METHODS, "lang": LANGS}


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


VOCODER_HELP = ("vocoder: griffinlim[:iterations], a folder or hf:<repo>, vocos, or vocos+griffinlim[:iterations] "
                "(Griffin-Lim from Vocos's phase; the default where the bundled Vocos fits the model's mel, else "
                "griffinlim; an exported ONNX voice: its own)")

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = OneLineParser(prog="tts-say", description="Speak Korean or English text to a WAV file.",
                      epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", nargs="?", help="text to speak (default: -f FILE, or standard input)")
    p.add_argument("-f", "--file", help="read the text from this UTF-8 file")
    p.add_argument("-o", "--output", default="out.wav",
                   help="WAV file to write, or - to stream to standard output (default: out.wav)")
    p.add_argument("--raw", action="store_true", help="write bare 16-bit little-endian mono PCM instead of WAV")
    p.add_argument("--model", help="checkpoint folder, run folder, .safetensors file, or a folder exported with "
                                   "--onnx (runs without torch) (default: the bundled voices)")
    p.add_argument("--lexicon", help="TSV file of pronunciations: word<TAB>respelling or [[phonemes]]")
    p.add_argument("--ssml", action="store_true", help="the text is SSML (<speak>, <break>, <sub>, <say-as>, "
                                                       "<phoneme>, <prosody rate>, <voice>, <p>, <s>)")
    p.add_argument("--list-voices", action="store_true", help="print the model's voices and exit")
    p.add_argument("--vocoder", help=VOCODER_HELP)
    p.add_argument("--runtime", choices=("auto", "torch", "onnx"), default="auto",
                   help="onnx: the bundled voices through onnxruntime, 1.4-1.9x faster and a faster start; their ONNX "
                        "form is made once (with torch: python -m tts_diffusion.export.cache) and cached; auto: onnx "
                        "where that form is cached and the options allow, else torch (an exported --model is always "
                        "onnx) (default: auto)")
    for option in fields(SynthesisOptions):  # names, defaults and help from the one options object
        default = getattr(DEFAULTS, option.name)
        kind = {"steps": int, "seed": int, "temperature": float, "postfilter": float, "speed": float,
                "pause": float}.get(option.name, str)
        suffix = f" (default: {default})" if default is not None else ""
        p.add_argument(f"--{option.name}", type=kind, default=default, choices=CHOICES.get(option.name),
                       help=option_help(option.name).replace("%", "%%") + suffix)
    p.add_argument("--mel-png", help="also save a picture of the mel spectrogram here")
    p.add_argument("--subtitles", help="also write subtitles here, .srt or .vtt: a cue per sentence (long ones cut "
                                       "into lines), timed by the audio made")
    p.add_argument("--timestamps", help="also write each sentence, word and phoneme with its start and end seconds "
                                        "in the audio here, as JSON")
    p.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    return p.parse_args(argv)


def read_text(args) -> str:
    if args.text is not None and args.file:
        raise ValueError("give the text or -f FILE, not both")
    if args.text is not None:
        return args.text
    limit = 4 * MAX_TEXT_CHARS  # bytes: never read more than the longest text allowed (/dev/zero, yes |)
    try:
        if args.file:
            with open(args.file, "rb") as f:
                data = f.read(limit + 1)
        else:
            data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"{args.file or 'standard input'} holds more than {limit:,} bytes of text: split it")
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{args.file or 'standard input'} is not valid UTF-8") from None
    except OSError as err:
        raise ValueError(f"cannot read {args.file}: {err.strerror}") from None


def list_voices(args) -> int:
    from .api import TTS

    tts = TTS.from_pretrained(args.model, device=args.device)
    for voice in tts.voices or []:
        print(f"{voice.name}\t{voice.language}\t{voice.teacher}")
    if not tts.voices:
        print("(a single voice, without a name)")
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``timeout``, ``kill``, ``docker stop``, a closed terminal): unwound like
    Ctrl-C, so that the temporary output file is removed and the exit code says which signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    import signal

    args = parse_args(argv)
    started = time.perf_counter()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    try:
        if args.list_voices:
            return list_voices(args)
        text = read_text(args)
        if args.subtitles and not args.subtitles.lower().endswith((".srt", ".vtt")):
            raise ValueError(f"--subtitles {args.subtitles}: name a .srt or .vtt file")
        if args.timestamps and not args.timestamps.lower().endswith(".json"):
            raise ValueError(f"--timestamps {args.timestamps}: name a .json file")
        options = SynthesisOptions(**{f.name: getattr(args, f.name) for f in fields(SynthesisOptions)}).check()
        import warnings

        from .text import normalize

        with warnings.catch_warnings(record=True) as caught:  # fail fast, before loading anything heavy
            warnings.simplefilter("always")
            if args.ssml:
                from .text.ssml import parse_ssml

                parse_ssml(text)
            else:
                normalize(text, options.lang)
        for warning in caught if not args.quiet else []:
            print(f"tts-say: warning: {warning.message}", file=sys.stderr)
        warnings.filterwarnings("ignore", message="dropped characters")  # said once above
        from .api import TTS
        from .audio import PcmWriter
        from .files import atomic_write_text
        from .speakers import speaker_id
        from .timestamps import Timeline

        tts = TTS.from_pretrained(args.model, vocoder=args.vocoder, device=args.device, lexicon=args.lexicon,
                                  runtime=args.runtime)
        if args.runtime == "auto" and not tts.supports(options):
            tts = TTS.from_pretrained(args.model, vocoder=args.vocoder, device=args.device, lexicon=args.lexicon,
                                      runtime="torch")  # what the exported voice cannot do, the torch one does
        loaded = time.perf_counter()  # the real-time factor counts synthesis, not loading
        speaker_id(tts.voices, options.voice, text, options.lang)  # an unknown voice is an error before any synthesis
        bar = None
        if not args.quiet:
            from tqdm import tqdm

            bar = tqdm(unit="sentence", leave=False, disable=None)
        mels, timeline, seconds, nfe = [], Timeline(), 0.0, 0
        with PcmWriter(args.output, tts.sample_rate, raw=args.raw) as out:
            for chunk in (tts.stream_ssml if args.ssml else tts.stream)(text, options):
                out.write(chunk.audio)
                seconds += len(chunk.audio) / tts.sample_rate
                nfe = max(nfe, chunk.nfe)
                if args.mel_png:
                    mels.append(chunk.mel)
                timeline.add(chunk)  # times, not the audio: memory stays flat
                if bar is not None:
                    bar.total = chunk.count  # known once the text is split, with the first chunk
                    bar.update(1)
            if args.mel_png:
                import numpy as np

                from .plots import save_mel_png

                save_mel_png(args.mel_png, np.concatenate(mels, axis=1))
            if args.subtitles:
                from .subtitles import cues, render

                atomic_write_text(args.subtitles, render(cues(timeline), args.subtitles.lower()[-3:]))
            if args.timestamps:
                atomic_write_text(args.timestamps, timeline.to_json())
        if bar is not None:
            bar.close()
    except (ValueError, OSError, RuntimeError) as err:
        print(f"tts-say: error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    except Terminated as stop:
        print(f"tts-say: stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("tts-say: interrupted", file=sys.stderr)
        return 130
    if not args.quiet:
        speaking = time.perf_counter() - loaded
        print(f"{args.output}: {seconds:.2f} s of audio in {speaking:.2f} s (real-time factor "
              f"{speaking / seconds:.2f}; {nfe} score evaluations a sentence; the model loaded in "
              f"{loaded - started:.2f} s)", file=sys.stderr)
    from .api import BUNDLED, auto_picks_onnx_for

    if args.runtime == "auto" and auto_picks_onnx_for(args.model, args.vocoder, args.device):
        from .export.cache import make_in_background

        if make_in_background(BUNDLED) and not args.quiet:  # spoken through torch: the next start is faster
            print("tts-say: making the voices' ONNX form in the background, once (~30 s of CPU): the next "
                  "runs start in under a second", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
