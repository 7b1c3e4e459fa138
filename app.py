"""Gradio web demo:  python app.py [--model PATH] [--lexicon FILE] [--host 127.0.0.1] [--port 7860]

Type Korean or English text, pick the voice, the sampler and its steps, and listen: each sentence
plays as soon as it is ready, then the whole take comes with its mel spectrogram and the timings.
Nothing is sent anywhere: analytics are off and the page takes no file paths.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

MAX_CHARS = 1000
MAX_UPLOAD = "100kb"  # the page takes no files; anything larger than a form is refused
MAX_AUDIO_SECONDS = 180.0  # a request's audio (slow speech and long pauses make short text long)
CACHE = (600, 3600)  # every 10 minutes, delete generated files older than an hour


def launch_options(host: str) -> dict:
    """How the demo is served: no share link, uploads capped, cross-origin requests refused (Gradio's
    strict CORS), and requests that name another host refused (DNS rebinding), for ``demo.launch``."""
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    hosts = sorted({host, "127.0.0.1", "localhost"})
    return dict(server_name=host, share=False, ssr_mode=False, max_file_size=MAX_UPLOAD, strict_cors=True,
                app_kwargs={"middleware": [Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                                           Middleware(SameOriginMiddleware, hosts=hosts), Middleware(NoUploads)]})


class NoUploads:
    """Refuses (403) Gradio's upload route: the page takes no files, so nothing may be stored on the
    server and served back from it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").rstrip("/").endswith("/upload"):
            from starlette.responses import PlainTextResponse

            await PlainTextResponse("this demo takes no uploads", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SameOriginMiddleware:
    """Refuses (403) a request whose Origin header names another site than this server's hosts."""

    def __init__(self, app, hosts: list[str]):
        self.app, self.hosts = app, set(hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            from urllib.parse import urlsplit

            origin = dict(scope.get("headers") or []).get(b"origin", b"").decode("latin-1")
            if origin and origin != "null" and urlsplit(origin).hostname not in self.hosts:
                from starlette.responses import PlainTextResponse

                await PlainTextResponse("cross-origin request refused", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
EXAMPLES = [
    ["안녕하세요. 오늘의 주요 뉴스를 전해 드리겠습니다."],
    ["2026년 11월 24일 오전 7시 30분 현재, 서울의 기온은 영하 2.5도입니다. 코스피는 1.2% 오른 2,650.3에 마감했습니다. "
     "KBS 뉴스 김민지입니다."],
    ["오후 3시부터 중부 지방에 시간당 20mm의 강한 비가 내리겠습니다."],
    ["Good evening. Here is the news at 9:30 pm."],
]


def build_demo(tts, max_chars: int = MAX_CHARS, live: bool | None = None, max_seconds: float = MAX_AUDIO_SECONDS):
    """The page. ``live``: a player that gets each sentence as soon as it is ready (Gradio encodes
    streamed audio with ffmpeg, so by default only where ffmpeg is installed)."""
    import shutil

    import gradio as gr
    import numpy as np

    from tts_diffusion.api import Synthesis
    from tts_diffusion.options import DEFAULTS, METHODS, SPEED_RANGE, TEMPERATURE_RANGE, SynthesisOptions, option_help
    from tts_diffusion.plots import mel_image

    voices = ["auto"] + [v.name for v in tts.voices]
    live = shutil.which("ffmpeg") is not None if live is None else live

    def pcm16(audio):
        return (np.clip(audio, -1, 1) * 32767).astype(np.int16)

    def speak(text, method, steps, temperature, speed, seed, voice="auto", postfilter="voice"):
        """Each sentence to the live player as soon as it is ready; then the whole take, its mel and
        timings."""
        text = (text or "").strip()
        if not text:
            raise gr.Error("Please type some text.")
        if len(text) > max_chars:
            raise gr.Error(f"The text has {len(text)} characters; the demo takes at most {max_chars}.")
        if voice not in voices:
            raise gr.Error(f"Unknown voice {voice!r}.")
        try:
            options = SynthesisOptions(voice=None if voice == "auto" else voice, method=method, steps=int(steps),
                                       temperature=float(temperature),
                                       postfilter=None if postfilter == "voice" else float(postfilter),
                                       speed=float(speed),
                                       seed=int(seed) if seed is not None else None)
            start, chunks, seconds = time.perf_counter(), [], 0.0
            for chunk in tts.stream(text, options):
                seconds += len(chunk.audio) / chunk.sample_rate
                if seconds > max_seconds:
                    raise gr.Error(f"This would be more than {max_seconds:.0f} s of audio, the most one request "
                                   "makes: shorten the text, or speak faster.")
                chunks.append(chunk)
                yield ((chunk.sample_rate, pcm16(chunk.audio)) if live else gr.skip(), gr.skip(), gr.skip(),
                       f"sentence {chunk.index + 1} of {chunk.count} ready")
        except ValueError as err:
            raise gr.Error(str(err)) from None
        result = Synthesis.join(chunks, time.perf_counter() - start)
        t = result.timings
        timings = (f"{t['audio']:.2f} s of audio in {t['total']:.2f} s (real-time factor {t['rtf']:.2f}): "
                   f"acoustic model {t['acoustic']:.2f} s, vocoder {t['vocoder']:.2f} s, {result.nfe} score evaluations")
        yield gr.skip(), (result.sample_rate, pcm16(result.audio)), mel_image(result.mel), timings

    with gr.Blocks(title="tts-diffusion", analytics_enabled=False, delete_cache=CACHE) as demo:
        gr.Markdown("# tts-diffusion\nScore-based diffusion text-to-speech for Korean and English.")
        with gr.Row():
            with gr.Column():
                text = gr.Textbox(label="Text", lines=5, max_length=max_chars, elem_id="text",
                                  placeholder="안녕하세요. 오늘의 뉴스입니다.")
                with gr.Row():
                    voice = gr.Dropdown(voices, value="auto", label="Voice (auto: the text's language)",
                                        elem_id="voice")
                    method = gr.Dropdown(list(METHODS), value=DEFAULTS.method, label=option_help("method").capitalize())
                    steps = gr.Slider(1, 100, value=DEFAULTS.steps, step=1, label=option_help("steps").capitalize())
                with gr.Row():
                    temperature = gr.Slider(TEMPERATURE_RANGE[0], 6.0, value=DEFAULTS.temperature, step=0.1,
                                            label="Temperature (higher is calmer)")
                    postfilter = gr.Dropdown(["voice", "0", "0.25", "0.5", "0.75", "1", "1.5"], value="voice",
                                             label="Postfilter (voice: the voice's own; higher is crisper)")
                    speed = gr.Slider(SPEED_RANGE[0], 2.0, value=DEFAULTS.speed, step=0.05, label="Speed")
                    seed = gr.Number(value=0, precision=0, label="Seed")
                button = gr.Button("Speak", variant="primary", elem_id="speak")
                gr.Examples(EXAMPLES, inputs=[text])
            with gr.Column():
                player = gr.Audio(label="Live (each sentence as it is ready)", type="numpy", streaming=True,
                                  autoplay=True, interactive=False, elem_id="live", visible=live)
                audio = gr.Audio(label="Speech", type="numpy", interactive=False, elem_id="audio")
                mel = gr.Image(label="Mel spectrogram", type="numpy", interactive=False)
                timings = gr.Textbox(label="Timings", interactive=False, elem_id="timings")
        button.click(speak, [text, method, steps, temperature, speed, seed, voice, postfilter],
                     [player, audio, mel, timings],
                     api_name="speak")
    return demo.queue(default_concurrency_limit=1, max_size=16)


def main(argv: list[str] | None = None) -> int:
    from tts_diffusion.cli import VOCODER_HELP

    parser = argparse.ArgumentParser(description="tts-diffusion web demo")
    parser.add_argument("--model", help="checkpoint folder, run folder, .safetensors file or exported ONNX folder "
                                        "(default: the bundled voice)")
    parser.add_argument("--vocoder", help=VOCODER_HELP)
    parser.add_argument("--lexicon", help="TSV file of pronunciations: word<TAB>respelling or [[phonemes]]")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    from tts_diffusion.api import TTS

    try:
        tts = TTS.from_pretrained(args.model, vocoder=args.vocoder, lexicon=args.lexicon)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    build_demo(tts).launch(server_port=args.port, **launch_options(args.host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
