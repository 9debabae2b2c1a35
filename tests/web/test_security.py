"""The room serves nothing outside the project (traversal, encoded '..', symlinks out, hidden files), asks for a
token from anyone not on this machine (listen-only and comment links differ), and checks writes for the comment
token, the same origin and their size."""

from __future__ import annotations

import http.client
import os

import httpx
import pytest
from web.room_fixtures import FOLDER, SONG, Room

from studioflow.producer import notes
from studioflow.web.access import MAX_BODY_BYTES, Access

MIX = f"songs/{FOLDER}/mixes/{FOLDER}-v001.wav"


def raw_get(room, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``path`` sent exactly as written (no client-side normalising of '..' or percent-escapes)."""
    conn = http.client.HTTPConnection("127.0.0.1", room.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


@pytest.fixture
def secret(tmp_path):
    """A file outside the project (an audio file, so only the place refuses it)."""
    path = tmp_path / "outside" / "secret.wav"
    path.parent.mkdir()
    path.write_bytes(b"RIFF-secret-bytes")
    return path


@pytest.fixture(scope="module")
def read_only_room(built_project):
    """One room for the read-only checks, with a secret file beside the project (as ``secret`` places it)."""
    outside = built_project.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.wav").write_bytes(b"RIFF-secret-bytes")
    with Room(built_project, Access("127.0.0.1")) as r:
        yield r


@pytest.mark.parametrize("path", [
    "/audio/../project.yaml", "/audio/songs/../../outside/secret.wav", "/audio/%2e%2e/outside/secret.wav",
    "/audio/..%2foutside%2fsecret.wav", "/audio/%2E%2E%2F%2E%2E%2Foutside/secret.wav",
    "/audio/songs/%2e%2e/%2e%2e/outside/secret.wav", "/audio//etc/passwd", "/audio/%2fetc%2fpasswd",
    "/audio/songs/long-song/..%5c..%5coutside%5csecret.wav", "/audio/songs/long-song/%00.wav",
    "/api/peaks/%2e%2e/outside/secret.wav", "/static/../project.yaml", "/static/%2e%2e/app.py",
    "/audio/project.yaml", "/audio/.studioflow.lock", "/audio/songs/long-song/.produce-state.json",
])
def test_nothing_outside_the_project_or_not_audio_is_served(read_only_room, path):
    status, body = raw_get(read_only_room, path)
    assert status in (400, 404), (path, status)
    assert b"secret-bytes" not in body and b"brief" not in body and b"root:" not in body


def test_a_symlink_out_of_the_project_serves_nothing(room, project, secret):
    link = project / "songs" / FOLDER / "mixes" / f"{FOLDER}-v009.wav"
    os.symlink(secret, link)
    folder_link = project / "songs" / FOLDER / "elsewhere"
    os.symlink(secret.parent, folder_link)
    inside = project / "songs" / FOLDER / "mixes" / "same.wav"
    os.symlink(project / MIX, inside)
    with httpx.Client(base_url=room.url) as c:
        assert c.get(f"/audio/songs/{FOLDER}/mixes/{FOLDER}-v009.wav").status_code == 404
        assert c.get(f"/audio/songs/{FOLDER}/elsewhere/secret.wav").status_code == 404
        assert c.get(f"/api/peaks/songs/{FOLDER}/elsewhere/secret.wav").status_code == 404
        assert c.get(f"/audio/songs/{FOLDER}/mixes/same.wav").content == (project / MIX).read_bytes()
        listed = [v["file"] for v in c.get(f"/api/songs/{SONG}").json()["versions"]]
    assert f"songs/{FOLDER}/mixes/{FOLDER}-v009.wav" not in listed


def test_this_machine_needs_no_token_but_another_host_name_does(room):
    assert raw_get(room, "/api/project")[0] == 200
    assert raw_get(room, "/api/project", {"Host": "localhost"})[0] == 200
    status, body = raw_get(room, "/api/project", {"Host": "rebound.example:8765"})      # DNS rebinding
    assert status == 401 and b"needs its link" in body


@pytest.fixture
def shared_room(project):
    """The room as when started with --host 0.0.0.0 (served here on loopback only)."""
    with Room(project, Access("0.0.0.0")) as r:
        yield r


def test_another_host_needs_a_token_and_the_listen_link_cannot_write(shared_room, project):
    room, access = shared_room, shared_room.access
    with httpx.Client(base_url=room.url) as c:
        assert c.get("/api/project").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get(f"/audio/{MIX}").status_code == 401
        assert c.get("/static/studio.js").status_code == 200           # the page's code is no secret
        assert c.get("/static/../project.yaml").status_code in (401, 404)
        assert c.get("/api/project", params={"t": "wrong"}).status_code == 401
        listen = c.get("/api/project", params={"t": access.listen_token})
        assert listen.status_code == 200 and listen.json()["access"] == "listen"
        page = c.get("/", params={"t": access.listen_token}).text
        assert access.listen_token in page and access.comment_token not in page
        assert c.get(f"/audio/{MIX}", headers={"x-studio-token": access.listen_token}).status_code == 200
        refused = c.post(f"/api/songs/{SONG}/notes", json={"text": "too loud"},
                         headers={"x-studio-token": access.listen_token})
        assert refused.status_code == 403 and "listen-only" in refused.json()["error"]
        by_query = c.post(f"/api/songs/{SONG}/notes", params={"t": access.comment_token}, json={"text": "too loud"})
        assert by_query.status_code == 403                       # a write needs the header, not a link's query
        ok = c.post(f"/api/songs/{SONG}/notes", json={"text": "the snare is too loud"},
                    headers={"x-studio-token": access.comment_token})
        assert ok.status_code == 201 and ok.json()["role"] == "mixing"
        assert c.get("/api/project", params={"t": access.comment_token}).json()["access"] == "comment"
    assert [n["text"] for n in notes.load(project / "songs" / FOLDER)] == ["the snare is too loud"]
    links = access.links(8765)
    assert links["listen"].endswith(f"/?t={access.listen_token}") and links["comment"] != links["listen"]


def test_writes_need_the_token_the_same_origin_and_a_bounded_body(room, project):
    token = {"x-studio-token": room.access.comment_token}
    with httpx.Client(base_url=room.url) as c:
        url = f"/api/songs/{SONG}/notes"
        no_token = c.post(url, json={"text": "too loud"})
        other_site = c.post(url, json={"text": "too loud"}, headers={**token, "origin": "http://evil.example"})
        cross_fetch = c.post(url, json={"text": "too loud"}, headers={**token, "sec-fetch-site": "cross-site"})
        huge = c.post(url, content=b"x" * (MAX_BODY_BYTES + 1), headers={**token, "content-type": "application/json"})
        not_json = c.post(url, content=b"{nope", headers=token)
        empty = c.post(url, json={"text": "   "}, headers=token)
        bad_time = c.post(url, json={"text": "loud", "at": -3}, headers=token)
        unknown_song = c.post("/api/songs/Nope/notes", json={"text": "loud"}, headers=token)
        put = c.put(url, json={"text": "loud"}, headers=token)
        same = c.post(url, json={"text": "the snare is too loud"}, headers={**token, "origin": room.url})
    assert no_token.status_code == 403 and "x-studio-token" in no_token.json()["error"]
    assert other_site.status_code == 403 and cross_fetch.status_code == 403
    assert huge.status_code == 413
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["error"]
    assert empty.status_code == 400 and bad_time.status_code == 400
    assert unknown_song.status_code == 404 and "no song 'Nope'" in unknown_song.json()["error"]
    assert put.status_code == 405
    assert same.status_code == 201
    assert [n["text"] for n in notes.load(project / "songs" / FOLDER)] == ["the snare is too loud"]


def test_a_chunked_body_over_the_bound_is_refused(room):
    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024
    with httpx.Client(base_url=room.url) as c:
        r = c.post(f"/api/songs/{SONG}/notes", content=chunks(),
                   headers={"x-studio-token": room.access.comment_token, "content-type": "application/json"})
    assert r.status_code == 413


def test_responses_keep_the_page_to_itself(room):
    with httpx.Client(base_url=room.url) as c:
        r = c.get("/")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "cdn" not in r.text.lower() and "https://" not in r.text
