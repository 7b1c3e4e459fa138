"""The web demo in a real headless Chromium (Playwright), and through gradio_client."""

import io
import os
import shutil
import urllib.error
import urllib.request

import pytest
import soundfile as sf

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

gr = pytest.importorskip("gradio")

from conftest import load_script  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@pytest.fixture(scope="module")
def server(tiny_run):
    from tts_diffusion.api import TTS

    app = load_script("app.py")
    demo = app.build_demo(TTS.from_pretrained(tiny_run), max_chars=200, max_seconds=20)
    demo.launch(server_port=None, prevent_thread_lock=True, quiet=True, **app.launch_options("127.0.0.1"))
    yield demo.local_url
    demo.close()


def wav_seconds(data: bytes) -> float:
    audio, rate = sf.read(io.BytesIO(data))
    assert rate == 22050 and abs(audio).max() > 0
    return len(audio) / rate


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_korean_text_in_the_browser_gives_a_wav(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server)
        page.locator("#text textarea").fill("안녕하세요. 오늘의 뉴스입니다.")
        page.locator("#speak").click()
        link = page.locator("#audio a[data-testid=download-link]")
        link.wait_for(timeout=120_000)
        href = link.get_attribute("href")
        timings = page.locator("#timings textarea").input_value()
        browser.close()
    url = href if href.startswith("http") else server.rstrip("/") + "/" + href.lstrip("/")
    data = urllib.request.urlopen(url, timeout=30).read()
    assert 0.5 < wav_seconds(data) < 20
    assert "real-time factor" in timings


def test_gradio_client_and_the_length_limit(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    _, audio_path, image_path, timings = client.predict("Good evening.", "ode-euler", 3, 1.5, 1.0, 0, "auto",
                                                        api_name="/speak")
    with open(audio_path, "rb") as f:
        assert 0.2 < wav_seconds(f.read()) < 10
    assert "score evaluations" in timings
    with pytest.raises(Exception, match="at most 200"):
        client.predict("가" * 201, "ode", 3, 1.5, 1.0, 0, "auto", api_name="/speak")
    slow = "오늘 서울의 기온은 영하 삼 도입니다. " * 9  # under the character cap, over 20 s of audio when slow
    with pytest.raises(Exception, match="more than 20 s of audio"):
        client.predict(slow, "ode-euler", 2, 1.5, 0.25, 0, "auto", api_name="/speak")


def test_the_live_player_gets_each_sentence_before_the_whole(server):
    from gradio_client import Client

    job = Client(server, verbose=False).submit("안녕하세요. 오늘의 뉴스입니다. 감사합니다.", "ode-euler", 3, 1.5, 1.0, 0,
                                               "auto", api_name="/speak")
    job.result(timeout=300)
    updates = job.outputs()
    progress = [u[3] for u in updates[:-1]]
    assert progress == [f"sentence {i} of 3 ready" for i in (1, 2, 3)]  # three sentences, in order, before the end
    if shutil.which("ffmpeg"):  # the live player got each sentence (Gradio serves streamed audio as HLS)
        assert all(str(u[0]).endswith(".m3u8") for u in updates[:-1])
    assert "real-time factor" in updates[-1][3] and str(updates[-1][1]).endswith(".wav")


def test_other_hosts_origins_and_big_uploads_are_refused(server):
    def status(path, method="GET", data=None, **headers):
        request = urllib.request.Request(server.rstrip("/") + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code

    assert status("/") == 200
    assert status("/", Host="evil.example") == 400  # DNS rebinding: another name for this server
    assert status("/", Origin="http://evil.example") == 403  # a page elsewhere calling the demo
    assert status("/", Origin=server.rstrip("/")) == 200
    body = b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.bin\"\r\n\r\n" + b"0" * 300_000 + b"\r\n--x--\r\n"
    small = body.replace(b"0" * 300_000, b"0" * 100)
    for upload in (body, small):  # the page takes no files: none is stored, large or small
        assert status("/gradio_api/upload", "POST", upload, **{"Content-Type": "multipart/form-data; boundary=x"}) == 403

