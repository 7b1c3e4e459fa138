"""tts-server on 127.0.0.1: OpenAI's own client, every response format, the error cases in plain
HTTP, a bounded queue, and a client that leaves mid-stream."""

import http.client
import io
import json
import socket
import threading
import time

import numpy as np
import pytest
import soundfile as sf

FIELDS = {"model": "tts-diffusion", "voice": "ko-a", "input": "안녕하세요. 오늘의 뉴스입니다.", "steps": 2, "seed": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(two_voice_run):
    import uvicorn

    from tts_diffusion.api import TTS
    from tts_diffusion.server import create_app

    tts = TTS.from_pretrained(two_voice_run)
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(create_app(tts, queue_size=2), host="127.0.0.1", port=port,
                                             log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline and thread.is_alive()
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tts
    instance.should_exit = True
    thread.join(10)


def post(url: str, body, raw: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    data = raw if raw is not None else json.dumps(body).encode()
    connection.request("POST", "/v1/audio/speech", data, {"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_openai_client_speaks_and_streams(server):
    from openai import OpenAI

    url, tts = server
    client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    spoken = client.audio.speech.create(model="tts-diffusion", voice="ko-a", input=FIELDS["input"], response_format="wav",
                                        extra_body={"steps": 2, "seed": 1})
    audio, rate = sf.read(io.BytesIO(spoken.content), dtype="float32")  # a streamed WAV header: sizes unknown
    expected = tts.synthesize(FIELDS["input"], voice="ko-a", steps=2, seed=1).audio
    assert rate == tts.sample_rate and len(audio) == len(expected) and np.abs(audio - expected).max() < 1e-4
    with client.audio.speech.with_streaming_response.create(model="tts-diffusion", voice="ko-a", input=FIELDS["input"],
                                                            response_format="pcm", extra_body={"steps": 2, "seed": 1}) as r:
        pcm = b"".join(r.iter_bytes())
    assert np.array_equal(np.frombuffer(pcm, "<i2"), np.frombuffer(spoken.content[44:], "<i2"))
    assert [m.id for m in client.models.list().data] == ["tts-diffusion"]


@pytest.mark.parametrize("response_format, container", [("flac", "FLAC"), ("mp3", "MP3"), ("opus", "OGG")])
def test_encoded_formats(server, response_format, container):
    url, tts = server
    status, headers, data = post(url, {**FIELDS, "response_format": response_format})
    assert status == 200, data
    info = sf.info(io.BytesIO(data))
    assert info.format == container and 1.0 < info.duration < 30
    audio, _ = sf.read(io.BytesIO(data), dtype="float32")
    assert np.abs(audio).max() > 0.01  # speech, not silence


def test_the_first_sentence_leaves_before_the_last_is_made(server):
    url, _ = server
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    text = " ".join(["오늘의 뉴스입니다."] * 12)
    connection.request("POST", "/v1/audio/speech", json.dumps({**FIELDS, "input": text, "response_format": "pcm"}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked"
    started = time.monotonic()
    first = response.read1(65536)
    first_at = time.monotonic() - started
    rest = response.read()
    total = time.monotonic() - started
    assert first and rest and first_at < total / 2


@pytest.mark.parametrize("response_format", ["wav", "pcm", "flac"])
def test_timestamps_come_with_the_audio_as_json(server, response_format):
    import base64

    url, tts = server
    status, headers, data = post(url, {**FIELDS, "response_format": response_format, "timestamps": True})
    assert status == 200 and headers["content-type"] == "application/json", data
    answer = json.loads(data)
    audio = base64.b64decode(answer["audio"])
    expected = tts.synthesize(FIELDS["input"], voice="ko-a", steps=2, seed=1)
    if response_format == "pcm":
        samples = np.frombuffer(audio, "<i2")
    else:
        samples, rate = sf.read(io.BytesIO(audio), dtype="int16")
        assert rate == answer["sample_rate"] == tts.sample_rate
    assert len(samples) == len(expected.audio) and abs(answer["duration"] - len(samples) / tts.sample_rate) < 1e-3
    words = [w for s in answer["sentences"] for w in s["words"]]
    assert [w["text"] for w in words] == [w.text for w in expected.words] == "안녕하세요. 오늘의 뉴스입니다.".split()
    assert [w["start"] for w in words] == [round(w.start, 3) for w in expected.words]


@pytest.mark.parametrize("body, status, param", [
    ({**FIELDS, "input": ""}, 400, "input"),
    ({**FIELDS, "input": "x" * 5000}, 400, "input"),
    ({**FIELDS, "input": "!!! ..."}, 400, "input"),
    ({**FIELDS, "voice": "alloy"}, 400, "voice"),
    ({**FIELDS, "response_format": "aac"}, 400, "response_format"),
    ({**FIELDS, "response_format": ["wav"]}, 400, "response_format"),
    ({**FIELDS, "speed": 9}, 400, "speed"),
    ({**FIELDS, "steps": 0}, 400, "steps"),
    ({**FIELDS, "method": "magic"}, 400, "method"),
    ({**FIELDS, "timestamps": "yes"}, 400, "timestamps"),
    ({**FIELDS, "temperature": "hot"}, 400, "temperature"),
    ({**FIELDS, "model_path": "/etc/passwd"}, 400, "model_path"),  # no file paths, no unknown fields
    (["not", "an", "object"], 400, None),
])
def test_bad_requests_name_the_field(server, body, status, param):
    url, _ = server
    code, headers, data = post(url, body)
    assert code == status and headers["content-type"] == "application/json", data
    error = json.loads(data)["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error" and "Traceback" not in error["message"]


def test_bad_json_oversized_bodies_and_routes(server):
    url, _ = server
    code, _, data = post(url, None, raw=b"{not json")
    assert code == 400 and "not valid JSON" in json.loads(data)["error"]["message"]
    code, _, _ = post(url, None, raw=b"{" + b" " * 70_000 + b"}")
    assert code == 413  # refused before it is read
    host, port = url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    for path, expected in [("/health", {"status": "ok"}),
                           ("/v1/voices", {"voices": [{"name": "ko-a", "language": "ko", "teacher": "A"},
                                                      {"name": "en-b", "language": "en", "teacher": "B"}]})]:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read()) == expected


def test_a_full_queue_is_503_and_a_client_that_leaves_frees_its_place(server):
    """Two places (queue_size=2): two slow streams hold them, a third request is refused with
    Retry-After; once the clients hang up mid-stream, their places are free again."""
    url, _ = server
    host, port = url.split("//")[1].split(":")
    long_text = " ".join(["오늘 서울의 기온은 영하 삼 도입니다."] * 180)  # ~4,000 characters, slow at 200 steps
    holders = []
    for _ in range(2):
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        slow = {**FIELDS, "input": long_text, "response_format": "pcm", "steps": 200}
        connection.request("POST", "/v1/audio/speech", json.dumps(slow), {"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200 and response.read1(1024)
        holders.append((connection, response))
    code, headers, data = post(url, FIELDS)
    assert code == 503 and headers["retry-after"] == "2" and json.loads(data)["error"]["type"] == "server_busy"
    for connection, response in holders:  # hang up mid-stream
        connection.sock.shutdown(socket.SHUT_RDWR)
        connection.close()
    deadline = time.monotonic() + 30  # the held streams alone would run for minutes more
    while True:
        code, _, data = post(url, FIELDS)
        if code == 200:
            break
        assert code == 503 and time.monotonic() < deadline, data
        time.sleep(0.5)
    assert sf.info(io.BytesIO(data)).samplerate > 0


def test_wyoming_describe_and_synthesize_round_trip(two_voice_run):
    """Home Assistant's protocol through the wyoming package's own client: describe lists our voices;
    synthesize streams audio-start, a chunk per sentence, audio-stop; a bad request is an error event."""
    import asyncio

    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncTcpClient
    from wyoming.error import Error
    from wyoming.info import Describe, Info
    from wyoming.server import AsyncServer
    from wyoming.tts import Synthesize, SynthesizeVoice

    from tts_diffusion.api import TTS
    from tts_diffusion.options import SynthesisOptions
    from tts_diffusion.wyoming_server import handler_factory

    tts = TTS.from_pretrained(two_voice_run)
    port = free_port()
    text = "안녕하세요. 오늘의 뉴스입니다. 서울은 맑겠습니다."

    async def session():
        server = AsyncServer.from_uri(f"tcp://127.0.0.1:{port}")
        await server.start(handler_factory(tts, SynthesisOptions(steps=2, seed=5)))
        try:
            async with AsyncTcpClient("127.0.0.1", port) as client:
                await client.write_event(Describe().event())
                info = Info.from_event(await client.read_event())
                voices = [(v.name, v.languages) for v in info.tts[0].voices]
                await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name="ko-a")).event())
                events = [await client.read_event()]
                while not AudioStop.is_type(events[-1].type):
                    events.append(await client.read_event())
                await client.write_event(Synthesize(text=text, voice=SynthesizeVoice(name="nobody")).event())
                refused = await client.read_event()
            return voices, events, refused
        finally:
            await server.stop()

    voices, events, refused = asyncio.run(asyncio.wait_for(session(), 120))
    assert voices == [("ko-a", ["ko"]), ("en-b", ["en"])]
    start, chunks = AudioStart.from_event(events[0]), [AudioChunk.from_event(e) for e in events[1:-1]]
    assert start.rate == tts.sample_rate and start.width == 2 and start.channels == 1 and len(chunks) == 3
    audio = np.frombuffer(b"".join(c.audio for c in chunks), "<i2").astype(np.float32) / 32767
    expected = tts.synthesize(text, voice="ko-a", steps=2, seed=5).audio
    assert len(audio) == len(expected) and np.abs(audio - expected).max() < 2 / 32767
    assert Error.is_type(refused.type) and "unknown voice 'nobody'" in Error.from_event(refused).text


def test_ssml_input_is_spoken_and_malformed_ssml_is_a_400(server):
    url, tts = server
    markup = '<speak>안녕하세요.<break time="500ms"/>오늘의 뉴스입니다.</speak>'
    code, _, data = post(url, {**FIELDS, "input": markup, "response_format": "pcm"})
    expected = np.concatenate([c.audio for c in tts.stream_ssml(markup, voice="ko-a", steps=2, seed=1)])
    assert code == 200 and np.array_equal(np.frombuffer(data, "<i2"), np.round(np.clip(expected, -1, 1) * 32767).astype("<i2"))
    code, _, data = post(url, {**FIELDS, "input": "<speak>안녕 <blink>!</blink></speak>"})
    error = json.loads(data)["error"]
    assert code == 400 and error["param"] == "input" and "unsupported SSML tag <blink>" in error["message"]
