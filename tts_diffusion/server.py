"""``tts-server``: an OpenAI-compatible speech server over one loaded model.

    tts-server [--host 127.0.0.1] [--port 8000] [--model M] [--vocoder V] [--runtime torch|onnx]
    tts-server --wyoming tcp://127.0.0.1:10200       # Home Assistant's Wyoming protocol instead (wyoming_server.py)

Routes: ``POST /v1/audio/speech`` (OpenAI's fields ``model``, ``input``, ``voice``,
``response_format``, ``speed``, and ours from :class:`~tts_diffusion.options.SynthesisOptions` under
the same names and ranges; ``"timestamps": true`` answers JSON instead: the audio in base64 with each
sentence, word and phoneme and its start and end seconds), ``GET /v1/models``, ``GET /v1/voices``,
``GET /health``.

Built on FastAPI and uvicorn (already installed with the demo's Gradio; both well kept): routing,
JSON bodies, chunked streaming and client disconnects are theirs. ``wav`` and ``pcm`` (16-bit mono
at the model's rate) stream a sentence at a time, the first leaving before the last is made;
``flac``, ``mp3`` and ``opus`` are encoded by libsndfile (soundfile) once the audio is whole.

A bad request is a 4xx JSON error naming the field (OpenAI's shape: ``{"error": {"message", "type",
"param"}}``), never a 500: bodies over :data:`MAX_BODY_BYTES` are refused before they are read,
requests beyond the queue get 503 with ``Retry-After``, and no field is ever a file path.
"""


import argparse
import io
import sys
import threading
from dataclasses import fields, replace

from .options import SynthesisOptions
from .text.ssml import is_ssml

MAX_BODY_BYTES = 64 * 1024
MAX_INPUT_CHARS = 4096  # OpenAI's limit for one request
FORMATS = {"wav": "audio/wav", "pcm": "audio/pcm", "flac": "audio/flac", "mp3": "audio/mpeg", "opus": "audio/ogg"}
ENCODED = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "mp3": ("MP3", "MPEG_LAYER_III"), "opus": ("OGG", "OPUS")}
OUR_FIELDS = {f.name for f in fields(SynthesisOptions)} - {"voice", "speed"}
OPENAI_IGNORED = {"instructions", "stream_format"}  # sent by OpenAI's clients; nothing here to do with them
MODEL_ID = "tts-diffusion"


class RequestError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.headers = status, message, param, headers or {}


class Queue:
    """At most ``size`` requests in the house (one speaking at a time, the rest waiting their turn);
    one more is refused at once (503), not queued without bound."""

    def __init__(self, size: int):
        self.places = threading.BoundedSemaphore(size)
        self.turn = threading.Lock()

    def enter(self) -> None:
        if not self.places.acquire(blocking=False):
            raise RequestError(503, "the server is busy: try again shortly", headers={"Retry-After": "2"})

    def leave(self) -> None:
        self.places.release()


def speech_options(body: dict, voices: list[str]) -> tuple[str, str, SynthesisOptions, bool]:
    """A request body -> (text, response_format, options, timestamps); RequestError(400) naming the field."""
    if not isinstance(body, dict):
        raise RequestError(400, "the body must be a JSON object")
    unknown = sorted(set(body) - {"model", "input", "voice", "response_format", "speed", "timestamps"} - OUR_FIELDS
                     - OPENAI_IGNORED)
    if unknown:
        raise RequestError(400, f"unknown field {unknown[0]!r}", unknown[0])
    text = body.get("input")
    if not isinstance(text, str) or not text.strip():
        raise RequestError(400, "input must be non-empty text", "input")
    if len(text) > MAX_INPUT_CHARS:
        raise RequestError(400, f"input has {len(text):,} characters, more than {MAX_INPUT_CHARS:,}", "input")
    if not isinstance(body.get("model", MODEL_ID), str):
        raise RequestError(400, "model must be a string", "model")
    voice = body.get("voice")
    if voice is not None and voice not in voices:
        raise RequestError(400, f"unknown voice {voice!r}: choose {', '.join(voices) or 'none (one voice)'}", "voice")
    response_format = body.get("response_format", "wav")
    if not isinstance(response_format, str) or response_format not in FORMATS:
        raise RequestError(400, f"response_format must be one of {', '.join(FORMATS)}", "response_format")
    if not isinstance(body.get("timestamps", False), bool):
        raise RequestError(400, "timestamps must be true or false", "timestamps")
    options = SynthesisOptions(voice=voice)
    for name in ("speed", *sorted(OUR_FIELDS & set(body))):
        if name in body:
            try:
                options = replace(options, **{name: body[name]}).check()
            except (ValueError, TypeError) as err:
                raise RequestError(400, str(err).splitlines()[0], name) from None
    return text, response_format, options, body.get("timestamps", False)


def encode(audio, sample_rate: int, response_format: str) -> bytes:
    import soundfile as sf

    from .audio import to_int16

    if response_format == "pcm":
        return to_int16(audio).tobytes()
    container, subtype = ENCODED[response_format]
    out = io.BytesIO()
    rate = sample_rate if response_format != "opus" else 24000  # Opus runs at 8, 12, 16, 24 or 48 kHz
    if rate != sample_rate:
        import numpy as np

        times = np.arange(int(len(audio) * rate / sample_rate)) * (sample_rate / rate)
        # Up from the model's rate (22.05 kHz): nothing aliases. Linear interpolation rather than librosa,
        # which a torch-free install does not have; its slight treble loss is below what Opus keeps.
        audio = np.interp(times, np.arange(len(audio)), audio)
    sf.write(out, to_int16(audio), rate, format=container, subtype=subtype)
    return out.getvalue()


def create_app(tts, queue_size: int = 8):
    """The FastAPI application over a loaded :class:`~tts_diffusion.api.TTS`."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, Response, StreamingResponse

    from .audio import streaming_wav_header, to_int16

    app = FastAPI(title="tts-diffusion", docs_url=None, redoc_url=None, openapi_url=None)
    voices = [v.name for v in tts.voices]
    queue = Queue(queue_size)

    def error(err: RequestError) -> JSONResponse:
        kind = "invalid_request_error" if err.status < 500 else "server_busy"
        return JSONResponse({"error": {"message": err.message, "type": kind, "param": err.param}},
                            status_code=err.status, headers=err.headers)

    @app.middleware("http")
    async def refuse_large_bodies(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return error(RequestError(413, f"the body is over {MAX_BODY_BYTES:,} bytes"))
        if request.method == "POST" and length is None:
            return error(RequestError(411, "a Content-Length is required"))
        return await call_next(request)

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "owned_by": "tts-diffusion"}]}

    @app.get("/v1/voices")
    def list_voices():
        return {"voices": [{"name": v.name, "language": v.language, "teacher": v.teacher} for v in tts.voices]}

    @app.post("/v1/audio/speech")
    async def speech(request: Request):
        import json

        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return error(RequestError(400, "the body is not valid JSON"))
        try:
            text, response_format, options, timestamps = speech_options(body, voices)
            ssml = is_ssml(text)
            # every segment or sentence checked (the text normalized once): a 400 now, not a broken stream later
            plan = tts.plan_ssml(text, options) if ssml else tts.prepare(text, options)
            queue.enter()
        except RequestError as err:
            return error(err)
        except ValueError as err:
            return error(RequestError(400, str(err).splitlines()[0], "input"))

        from .timestamps import Timeline

        timeline = Timeline()

        def chunks(header: bool):
            try:
                if header:
                    yield streaming_wav_header(tts.sample_rate)
                sentences = tts.speak_ssml(plan) if ssml else tts.speak(plan)
                while True:
                    with queue.turn:  # one synthesis at a time, requests taking turns sentence by sentence
                        chunk = next(sentences, None)
                    if chunk is None:
                        return
                    timeline.add(chunk)
                    yield to_int16(chunk.audio).tobytes()
            finally:  # also when the client goes away mid-stream: the generator is closed
                queue.leave()

        if response_format in ("wav", "pcm") and not timestamps:
            return StreamingResponse(chunks(response_format == "wav"), media_type=FORMATS[response_format])
        from starlette.concurrency import run_in_threadpool

        try:
            audio = await run_in_threadpool(lambda: b"".join(chunks(header=False)))
        except ValueError as err:
            return error(RequestError(400, str(err).splitlines()[0], "input"))
        import numpy as np

        samples = np.frombuffer(audio, dtype="<i2").astype(np.float32) / 32767
        encoded = encode(samples, tts.sample_rate, response_format)
        if timestamps:
            import base64

            return {"audio": base64.b64encode(encoded).decode("ascii"), "response_format": response_format,
                    "sample_rate": tts.sample_rate} | timeline.as_dict()
        return Response(encoded, media_type=FORMATS[response_format])

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tts-server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--model", help="as tts-say --model (default: the bundled voices)")
    parser.add_argument("--vocoder", help="as tts-say --vocoder")
    parser.add_argument("--runtime", choices=("torch", "onnx"), default="torch")
    parser.add_argument("--queue", type=int, default=8, help="requests in the house at most; more get 503")
    parser.add_argument("--wyoming", metavar="URI",
                        help="serve Home Assistant's Wyoming protocol at tcp://HOST:PORT instead of HTTP")
    args = parser.parse_args(argv)
    try:
        from .api import TTS

        tts = TTS.from_pretrained(args.model, vocoder=args.vocoder, runtime=args.runtime)
        if args.wyoming:
            from .wyoming_server import serve

            serve(tts, args.wyoming)
            return 0
        app = create_app(tts, args.queue)
    except (ValueError, OSError, ImportError) as err:
        print(f"tts-server: error: {str(err).splitlines()[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
