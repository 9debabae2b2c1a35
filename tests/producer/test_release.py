"""What produce delivers: only songs whose masters are approved (unless --include-unapproved), tagged from the brief
and the song."""

from studioflow.audio.tags import read_tags
from studioflow.producer.pipeline import produce
from studioflow.producer.stages import approve


def test_only_approved_songs_are_delivered_and_they_are_tagged(project, stand_in_master):
    first = produce(project)
    deliver = next(s for s in first["songs"]["First Song"] if s["step"] == "deliver")
    assert deliver["status"] == "skipped" and "mastering is not approved" in deliver["why"][0]
    assert not (project / "deliverables" / "spotify").exists()
    for stage in ("tracking", "mixing", "mastering"):
        approve(project, "First Song", stage, by="Sam")
    produce(project)
    tags = read_tags(project / "deliverables" / "spotify" / "01 First Song.wav")
    assert (tags["title"], tags["track_number"], tags["track_total"]) == ("First Song", 1, 1)
    master = next((project / "songs" / "first-song" / "masters").glob("*-spotify-v*.wav"))
    assert read_tags(master)["title"] is None                      # the master itself stays untagged
