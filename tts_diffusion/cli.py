"""``tts-say``: speak Korean or English text to a WAV file."""

from __future__ import annotations

import argparse
import sys
import time

METHODS = ["ode", "ode-heun", "ode-euler", "ode-rk45", "sde", "pc"]
EPILOG = """examples:
  tts-say "오늘 서울의 기온은 영하 3.5도입니다." -o news.wav
  tts-say "The news at 9:30 pm." --lang en -o news.wav --steps 20 --seed 1
  tts-say --list-voices
  echo "안녕하세요" | tts-say -o hello.wav --mel-png hello.png"""


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = OneLineParser(prog="tts-say", description="Speak Korean or English text to a WAV file.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", nargs="?", help="text to speak (default: -f FILE, or standard input)")
    p.add_argument("-f", "--file", help="read the text from this UTF-8 file")
    p.add_argument("-o", "--output", default="out.wav", help="WAV file to write (default: out.wav)")
    p.add_argument("--model", help="checkpoint folder, run folder or .safetensors file (default: the bundled voice)")
    p.add_argument("--voice", help="a voice of the model (see --list-voices; default: the voice of the text's language)")
    p.add_argument("--lexicon", help="TSV file of pronunciations: word<TAB>respelling or [[phonemes]]")
    p.add_argument("--list-voices", action="store_true", help="print the model's voices and exit")
    p.add_argument("--vocoder", default="griffinlim", help="vocoder: griffinlim[:iterations] (default: griffinlim)")
    p.add_argument("--method", choices=METHODS, default="ode", help="sampler (default: ode)")
    p.add_argument("--steps", type=int, default=10, help="sampler steps (default: 10)")
    p.add_argument("--temperature", type=float, default=1.5, help="prior temperature; higher is calmer (default: 1.5)")
    p.add_argument("--speed", type=float, default=1.0, help="speaking rate, 1.2 is 20%% faster (default: 1.0)")
    p.add_argument("--seed", type=int, help="random seed, for repeatable output")
    p.add_argument("--lang", choices=["auto", "ko", "en"], default="auto", help="language of the text (default: auto)")
    p.add_argument("--mel-png", help="also save a picture of the mel spectrogram here")
    p.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    return p.parse_args(argv)


def read_text(args) -> str:
    if args.text is not None and args.file:
        raise ValueError("give the text or -f FILE, not both")
    if args.text is not None:
        return args.text
    try:
        if args.file:
            with open(args.file, "rb") as f:
                return f.read().decode("utf-8")
        return sys.stdin.buffer.read().decode("utf-8")
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        if args.list_voices:
            return list_voices(args)
        text = read_text(args)
        if args.steps < 1:
            raise ValueError("--steps must be at least 1")
        import warnings

        from .text import normalize

        with warnings.catch_warnings(record=True) as caught:  # fail fast, before loading anything heavy
            warnings.simplefilter("always")
            normalize(text, args.lang)
        for warning in caught if not args.quiet else []:
            print(f"tts-say: warning: {warning.message}", file=sys.stderr)
        warnings.filterwarnings("ignore", message="dropped characters")  # said once above
        from .api import TTS
        from .audio import save_wav
        from .speakers import speaker_id

        tts = TTS.from_pretrained(args.model, vocoder=args.vocoder, device=args.device, lexicon=args.lexicon)
        speaker_id(tts.voices, args.voice, text)  # an unknown voice is an error before any synthesis
        bar = None
        if not args.quiet:
            from tqdm import tqdm

            bar = tqdm(total=0, unit="sentence", leave=False, disable=None)

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        result = tts.synthesize(text, args.lang, args.method, args.steps, args.temperature, args.speed, args.seed,
                                progress=progress, voice=args.voice)
        if bar is not None:
            bar.close()
        save_wav(args.output, result.audio, result.sample_rate)
        if args.mel_png:
            from .plots import save_mel_png

            save_mel_png(args.mel_png, result.mel)
    except (ValueError, OSError, RuntimeError) as err:
        print(f"tts-say: error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tts-say: interrupted", file=sys.stderr)
        return 130
    if not args.quiet:
        wall = time.perf_counter() - started
        seconds = result.timings["audio"]
        print(f"{args.output}: {seconds:.2f} s of audio in {wall:.2f} s (real-time factor {wall / seconds:.2f}; "
              f"{result.nfe} score evaluations)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
