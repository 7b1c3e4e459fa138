"""``tts-say``: speak text to a WAV file.

Until a voice is bundled (see the issue tracker), it runs the text front end, prints the spoken
form and the phonemes, says plainly that no voice is bundled, and exits with code 1.
"""

from __future__ import annotations

import argparse
import sys

EPILOG = """examples:
  tts-say "오늘 서울의 기온은 영하 3.5도입니다." -o news.wav
  tts-say "The news at 9:30 pm." --lang en -o news.wav"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tts-say", description="Speak Korean or English text to a WAV file.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("text", nargs="?", help="text to speak (default: read standard input)")
    parser.add_argument("-o", "--output", default="out.wav", help="WAV file to write (default: out.wav)")
    parser.add_argument("--lang", choices=["auto", "ko", "en"], default="auto", help="language of the text")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    text = args.text
    if text is None:
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            print("tts-say: error: standard input is not valid UTF-8", file=sys.stderr)
            return 2
    from .text import Tokenizer, normalize

    try:
        spoken = normalize(text, args.lang)
        encoded = Tokenizer().encode(text, args.lang)
    except ValueError as err:
        print(f"tts-say: error: {err}", file=sys.stderr)
        return 2
    print(f"spoken form: {spoken}")
    print(f"phonemes:    {encoded.phonemes}")
    print(f"tts-say: no voice is bundled yet, so {args.output} was not written", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
