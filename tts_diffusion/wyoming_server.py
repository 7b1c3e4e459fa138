"""Home Assistant's Wyoming protocol over one loaded model: ``tts-server --wyoming tcp://127.0.0.1:10200``.

Built on the ``wyoming`` package (Home Assistant's own, the `wyoming` extra): its server reads and
writes the events. ``describe`` is answered with our voices (name, languages, teacher);
``synthesize`` with ``audio-start``, one ``audio-chunk`` per sentence as soon as it is made, then
``audio-stop``. A request that cannot be spoken (an unknown voice, nothing to voice) gets an
``error`` event with one line, and the connection stays open. Synthesis runs in a worker thread,
one request at a time: the event loop keeps answering ``describe``.
"""

import asyncio
import threading

from .options import SynthesisOptions

SAMPLE_WIDTH, CHANNELS = 2, 1  # 16-bit mono


def describe(tts):
    """Our voices as Wyoming's ``info`` event."""
    from wyoming.info import Attribution, Info, TtsProgram, TtsVoice

    attribution = Attribution(name="tts-diffusion", url="https://github.com/")
    voices = [TtsVoice(name=v.name, attribution=Attribution(name=v.teacher or "tts-diffusion", url=""),
                       installed=True, description=f"{v.name} ({v.teacher})", version=None, languages=[v.language])
              for v in tts.voices]
    if not voices:  # a single-voice model: one unnamed voice
        voices = [TtsVoice(name="default", attribution=attribution, installed=True, description="the model's voice",
                           version=None, languages=["ko", "en"])]
    program = TtsProgram(name="tts-diffusion", attribution=attribution, installed=True,
                         description="Score-based diffusion text-to-speech for Korean and English", version=None,
                         voices=voices)
    return Info(tts=[program]).event()


def handler_factory(tts, options: SynthesisOptions = SynthesisOptions()):
    """A Wyoming event handler class bound to ``tts`` (the server makes one per connection)."""
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.error import Error
    from wyoming.info import Describe
    from wyoming.server import AsyncEventHandler
    from wyoming.tts import Synthesize

    from .audio import to_int16

    turn = threading.Lock()  # one synthesis at a time, across connections
    names = {v.name for v in tts.voices}

    class Handler(AsyncEventHandler):
        async def handle_event(self, event) -> bool:
            if Describe.is_type(event.type):
                await self.write_event(describe(tts))
            elif Synthesize.is_type(event.type):
                await self.synthesize(Synthesize.from_event(event))
            return True

        async def synthesize(self, request) -> None:
            voice = request.voice.name if request.voice and request.voice.name not in (None, "default") else None
            if voice is not None and voice not in names:
                await self.write_event(Error(text=f"unknown voice {voice!r}: choose {', '.join(sorted(names))}",
                                             code="voice").event())
                return
            loop = asyncio.get_running_loop()
            try:
                plan = await loop.run_in_executor(None, lambda: tts.prepare(request.text, options, voice=voice))
                sentences = tts.speak(plan)  # the text was checked, normalized and split once, above
                rate = tts.sample_rate
                await self.write_event(AudioStart(rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS).event())
                while True:
                    chunk = await loop.run_in_executor(None, _next_locked, sentences, turn)
                    if chunk is None:
                        break
                    await self.write_event(AudioChunk(rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS,
                                                      audio=to_int16(chunk.audio).tobytes()).event())
            except ValueError as err:
                await self.write_event(Error(text=str(err).splitlines()[0], code="text").event())
                return
            await self.write_event(AudioStop().event())

    return Handler


def _next_locked(iterator, lock: threading.Lock):
    with lock:
        return next(iterator, None)


def serve(tts, uri: str) -> None:
    """Run the Wyoming server at ``uri`` (``tcp://HOST:PORT`` or ``unix://PATH``) until stopped."""
    from wyoming.server import AsyncServer

    asyncio.run(AsyncServer.from_uri(uri).run(handler_factory(tts)))
