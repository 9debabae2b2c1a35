"""The listening room in a real browser: Debian's headless Chromium driven by Playwright (no browser download).
Play, seek, A/B at the same position, a note clicked at 1:23 that ``studioflow notes --json`` then lists with its
role, replies and done, approval with the name asked once, a listen-only link, and a mix rendered by
``studioflow mix`` in another process appearing live. Screenshots go to tests/web/artifacts/ (git-ignored)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web.room_fixtures import FOLDER, SONG, Room, studioflow

from studioflow.web.access import Access

pytestmark = pytest.mark.slow       # a real browser: about 25 s together on an idle machine

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, allowed to start audio without a gesture."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/setup-system.sh (make install)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens the room's page, loaded with its first song, with a name given once (None: not given yet); the pages
    are closed after the test."""
    opened: list[Page] = []

    def opener(url: str, name: str | None = "Alex") -> Page:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        opened.append(page)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors       # type: ignore[attr-defined]
        page.goto(url)
        expect(page.locator("#versions tbody tr")).to_have_count(4)
        if name is not None:
            page.fill("#who-name", name)
            page.click("#who-save")
        return page

    yield opener
    for page in opened:
        page.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def click_wave_at(page: Page, seconds: float, *, to: float | None = None) -> None:
    """Click the waveform at ``seconds`` (or drag from there to ``to``)."""
    duration = page.evaluate("studio.duration()")
    box = page.locator("#wave").bounding_box()
    x = lambda t: box["x"] + box["width"] * t / duration          # noqa: E731
    y = box["y"] + box["height"] / 2
    page.mouse.move(x(seconds), y)
    page.mouse.down()
    if to is not None:
        page.mouse.move(x(to), y, steps=5)
    page.mouse.up()


def test_play_seek_and_switch_a_b_at_the_same_position(open_page, room):
    page = open_page(room.url)
    assert page.evaluate("[studio.a, studio.b]") == [f"songs/{FOLDER}/mixes/{FOLDER}-v002.wav",
                                                     f"songs/{FOLDER}/masters/{FOLDER}-spotify-v001.wav"]
    page.click("#play")
    page.wait_for_function("() => studio.playing && studio.position() > 0.3")
    click_wave_at(page, 30.0)                                       # seek while playing
    page.wait_for_function("() => studio.position() >= 29.9 && studio.position() < 40")
    before, after, heard = page.evaluate(
        "() => { const p = studio.position(); document.getElementById('ab').click(); "
        "return [p, studio.position(), studio.heard]; }")
    assert heard == "B" and 0 <= after - before < 0.05            # the same moment, still playing: no restart
    assert page.evaluate("studio.playing")
    song = page.evaluate(f"fetch('/api/songs/{SONG}').then(r => r.json())")
    master = next(v for v in song["versions"] if v["kind"] == "master")
    matched = 10 ** (master["match_gain_db"] / 20)
    page.wait_for_function(f"() => studio.gain('A') < 0.001 && Math.abs(studio.gain('B') - {matched}) < 0.001")
    expect(page.locator("#ab")).to_have_text("Hearing B")
    expect(page.locator("#heard")).to_contain_text("spotify master v1")
    page.uncheck("#matched")                                        # unmatched: B at its own level
    page.wait_for_function("() => Math.abs(studio.gain('B') - 1) < 0.001")
    shot(page, "ab-playing")
    page.click("#play")                                             # pause, then switch: the position stays put
    held = page.evaluate("studio.position()")
    page.keyboard.press("x")
    assert page.evaluate("[studio.position(), studio.heard, studio.playing]") == [held, "A", False]
    assert page.errors == []                                        # type: ignore[attr-defined]


def test_a_note_clicked_at_1_23_is_routed_and_listed_by_studioflow_notes(open_page, room, project):
    page = open_page(room.url)
    click_wave_at(page, 83.0)
    expect(page.locator("#note-where")).to_have_text("at 1:23")
    page.fill("#note-text", "the snare is too loud")
    page.click("#note-add")
    item = page.locator("#notes li", has_text="the snare is too loud")
    expect(item).to_contain_text("1:23")
    expect(item).to_contain_text("→ mixing engineer")
    expect(item).to_contain_text("why:")
    click_wave_at(page, 20.0, to=35.0)                              # a drag: a note over a range
    expect(page.locator("#note-where")).to_have_text("from 0:20 to 0:35")
    page.fill("#note-text", "there is a hum on the bass")
    page.press("#note-text", "Enter")
    ranged = page.locator("#notes li", has_text="hum on the bass")
    expect(ranged).to_contain_text("0:20–0:35")
    expect(ranged).to_contain_text("→ recording engineer")
    shot(page, "notes")
    result = studioflow("notes", str(project), "--json")
    assert result.returncode == 0, result.stderr
    listed = [n for role in json.loads(result.stdout).values() for n in role]
    snare = next(n for n in listed if n["text"] == "the snare is too loud")
    minutes, seconds = snare["at"].split(":")
    assert int(minutes) * 60 + float(seconds) == 83.0 and snare["role"] == "mixing" and snare["filed_by"] == "Alex"
    hum = next(n for n in listed if n["text"] == "there is a hum on the bass")
    assert (hum["at"], hum["role"]) == ("0:20-0:35", "recording")
    ranged.locator("input").fill("it is the bass amp, we can retrack")   # a reply, then done
    ranged.get_by_role("button", name="Reply").click()
    expect(ranged).to_contain_text("Alex: it is the bass amp, we can retrack")
    page.locator("#notes li", has_text="hum on the bass").get_by_role("button", name="Done").click()
    expect(page.locator("#notes li.closed", has_text="hum on the bass")).to_contain_text("done")
    closed = [n for n in yaml.safe_load((project / "songs" / FOLDER / "notes.yaml").read_text())["notes"]
              if n["text"] == "there is a hum on the bass"]
    assert closed[0]["status"] == "closed" and closed[0]["replies"][0]["by"] == "Alex"
    assert page.errors == []                                        # type: ignore[attr-defined]


def test_approve_from_the_page_asks_the_name_once(open_page, room, project):
    page = open_page(room.url, name=None)
    expect(page.locator("#who")).to_have_class("writes asking")
    page.click("#approve")
    expect(page.locator("#approve-message")).to_contain_text("say who you are first")
    page.fill("#who-name", "Robin")
    page.press("#who-name", "Enter")
    expect(page.locator("#approve")).to_have_text("Approve tracking")
    page.click("#approve")
    expect(page.locator("#stages li[data-stage=tracking]")).to_have_text("tracking ✓ Robin")
    expect(page.locator("#approve")).to_have_text("Approve mixing")
    approvals = yaml.safe_load((project / "project.yaml").read_text())["songs"][0]["approvals"]
    assert approvals["tracking"]["by"] == "Robin"
    page.reload()                                                   # asked once: the name is remembered
    expect(page.locator("#who-name")).to_have_value("Robin")
    expect(page.locator("#who")).not_to_have_class("writes asking")
    shot(page, "approved")


def test_a_listen_only_link_plays_but_cannot_write(open_page, project):
    with Room(project, Access("0.0.0.0")) as room:
        page = open_page(f"{room.url}/?t={room.access.listen_token}", name=None)
        expect(page.locator("#access-badge")).to_have_text("listen-only link")
        expect(page.locator("#note-form")).to_be_hidden()
        expect(page.locator("#approve")).to_be_hidden()
        page.click("#play")
        page.wait_for_function("() => studio.playing && studio.position() > 0.2")
        denied = page.evaluate(f"fetch('/api/songs/{SONG}/notes', {{method: 'POST', headers: {{'X-Studio-Token': "
                               f"'{room.access.listen_token}'}}, body: '{{\"text\": \"loud\"}}'}}).then(r => r.status)")
        assert denied == 403


def test_a_mix_rendered_in_another_process_appears_live(open_page, room, project):
    page = open_page(room.url)
    result = studioflow("mix", str(project / "songs" / FOLDER / "session.yaml"), "--json")
    assert result.returncode == 0, result.stderr
    row = page.locator(f"#versions tr[data-file='songs/{FOLDER}/mixes/{FOLDER}-v003.wav']")
    expect(row).to_contain_text("mix v3", timeout=30_000)
    expect(row).to_contain_text("LUFS")
    expect(page.locator(".toast", has_text="new mix: mix v3 (Long Song)")).to_be_visible()
    shot(page, "new-version-live")
    assert page.errors == []                                        # type: ignore[attr-defined]
