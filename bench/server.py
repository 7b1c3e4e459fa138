"""tts-server under load on 127.0.0.1: time to the first audio byte and requests a second with 10
concurrent clients, against tts-say's engine in-process (the same TTS object, no HTTP).

    python bench/server.py [--model M] [--clients 10] [--requests 30] --out docs/server.md

The server runs in this process (uvicorn in a thread, the app of ``tts_diffusion.server``); each
client sends bounded requests (``--requests`` in all, a news sentence each, streamed ``pcm``) and
the run stops by itself. Time to first byte: from sending the request to the first audio byte.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from report import publish
from tts_diffusion.api import TTS
from tts_diffusion.server import create_app

SENTENCES = ["오늘 서울의 기온은 영하 삼 도입니다.", "코스피는 일 점 이 퍼센트 오른 채 마감했습니다.",
             "내일은 전국이 대체로 맑겠습니다.", "Good evening. Here is the news at nine."]


def first_byte_and_total(port: int, text: str) -> tuple[float, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("POST", "/v1/audio/speech", json.dumps({"model": "tts-diffusion", "input": text,
                                                               "response_format": "pcm", "seed": 0}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {response.read()[:200]!r}")
    response.read1(1)
    first = time.perf_counter() - started
    response.read()
    connection.close()
    return first, time.perf_counter() - started


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("-o", "--output", "--out", dest="out")
    args = parser.parse_args()
    tts = TTS.from_pretrained(args.model)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(tts, queue_size=args.clients), host="127.0.0.1", port=port,
                                          log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    texts = [SENTENCES[k % len(SENTENCES)] for k in range(args.requests)]

    started = time.perf_counter()  # in-process, one after another: what tts-say's engine does alone
    local_first = []
    for text in texts:
        t0 = time.perf_counter()
        next(iter(tts.stream(text, seed=0)))
        local_first.append(time.perf_counter() - t0)
    local_rate = len(texts) / (time.perf_counter() - started)

    single = [first_byte_and_total(port, text) for text in texts[:5]]  # one client at a time
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        loaded = list(pool.map(lambda text: first_byte_and_total(port, text), texts))
    rate = len(texts) / (time.perf_counter() - started)
    server.should_exit = True

    def ms(values):
        return f"{1000 * statistics.median(values):.0f} ms (p90 {1000 * sorted(values)[int(0.9 * (len(values) - 1))]:.0f})"

    table = ("| setting | time to first audio byte | requests a second |\n| --- | --- | --- |\n"
             f"| in-process `TTS.stream` (tts-say's engine), one after another | {ms(local_first)} | {local_rate:.2f} |\n"
             f"| tts-server, one client | {ms([f for f, _ in single])} | – |\n"
             f"| tts-server, {args.clients} concurrent clients | {ms([f for f, _ in loaded])} | {rate:.2f} |\n")
    print(table)
    publish("Speech server", f"Model `{args.model or 'bundled'}`, {len(texts)} requests of one news sentence, "
            "streamed pcm, 127.0.0.1.\n\n" + table, args.out)


if __name__ == "__main__":
    main()
