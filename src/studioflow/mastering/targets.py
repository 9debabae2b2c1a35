"""Delivery loudness targets: integrated loudness (LUFS) and true-peak ceiling (dBTP) per platform, with sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from studioflow.errors import ParameterError


@dataclass(frozen=True)
class Target:
    """One delivery target: integrated loudness in LUFS and true-peak ceiling in dBTP, with its source and a note."""

    name: str
    lufs: float
    ceiling_dbtp: float
    source: str
    note: str

    def as_dict(self) -> dict:
        """The target as plain JSON-ready data."""
        return asdict(self)


_TABLE: tuple[Target, ...] = (
    Target("spotify", -14.0, -1.0, "Spotify for Artists, 'Loudness normalization' (support article)",
           "Loud masters are turned down to -14 LUFS; quiet ones are raised only up to the true-peak headroom "
           "(-1 dBTP)."),
    Target("apple-music", -16.0, -1.0, "Apple Digital Masters / Sound Check (Apple Music for Artists guidance)",
           "Sound Check normalizes to about -16 LUFS; true peaks above -1 dBTP risk AAC encoder overs."),
    Target("youtube", -14.0, -1.0, "YouTube stable volume (observed -14 LUFS reference, widely documented)",
           "YouTube only turns loud uploads down; a quieter master keeps its level and dynamics."),
    Target("amazon-music", -14.0, -2.0, "Amazon Music loudness guidance (-14 LUFS, -2 dBTP)",
           "Amazon asks for more true-peak headroom (-2 dBTP) than most services."),
    Target("tidal", -14.0, -1.0, "TIDAL loudness normalization (album and track mode, -14 LUFS)",
           "TIDAL normalizes by album by default, so track-to-track balance within an album is kept."),
    Target("deezer", -15.0, -1.0, "Deezer loudness normalization (-15 LUFS)",
           "Deezer normalizes a little lower than Spotify and YouTube."),
    Target("soundcloud", -14.0, -1.0, "SoundCloud upload guidance (normalizes toward about -14 LUFS)",
           "SoundCloud transcodes to lossy formats, so keep the -1 dBTP headroom."),
    Target("cd", -9.0, -0.3, "Common loud-master practice for CD (Red Book has no loudness rule)",
           "Loud: CD playback is not normalized; expect heavy limiting and a low PLR at this level."),
    Target("ebu-r128", -23.0, -1.0, "EBU R 128 (2020) and EBU Tech 3343",
           "Broadcast loudness for Europe: -23 LUFS +/- 0.5 LU, max true peak -1 dBTP."),
    Target("atsc-a85", -24.0, -2.0, "ATSC A/85 RP (2013), US broadcast (CALM Act)",
           "US broadcast: -24 LKFS, true peak at most -2 dBTP."),
    Target("podcast", -16.0, -1.0, "Apple Podcasts and common podcast guidance (-16 LUFS stereo)",
           "Spoken word on phones: -16 LUFS stereo (-19 LUFS for mono is also common)."),
    Target("aes-td1008", -16.0, -1.0, "AES TD1008 (2021), loudness of streaming and network file playback",
           "AES recommends about -16 LUFS for streamed music and -1 dBTP (lower for low-bitrate codecs)."),
)

TARGETS: dict[str, Target] = {t.name: t for t in _TABLE}


def get_target(name: str) -> Target:
    """The target called ``name`` (case-insensitive), or a ParameterError listing the known names."""
    key = str(name).strip().lower()
    if key not in TARGETS:
        raise ParameterError(f"unknown mastering target {name!r}; known targets: {', '.join(TARGETS)}")
    return TARGETS[key]


def custom_target(lufs: float, ceiling_dbtp: float) -> Target:
    """A target given by numbers: integrated loudness ``lufs`` (-40..-3), true-peak ceiling ``ceiling_dbtp`` (-12..0).
    """
    if not -40.0 <= float(lufs) <= -3.0:
        raise ParameterError(f"target loudness must be from -40 to -3 LUFS; got {lufs!r}")
    if not -12.0 <= float(ceiling_dbtp) <= 0.0:
        raise ParameterError(f"true-peak ceiling must be from -12 to 0 dBTP; got {ceiling_dbtp!r}")
    return Target("custom", float(lufs), float(ceiling_dbtp), "given on the command line",
                  f"Custom target: {float(lufs):g} LUFS, {float(ceiling_dbtp):g} dBTP.")


def resolve_target(target: str | Target | None = None, *, lufs: float | None = None,
                   ceiling_dbtp: float | None = None) -> Target:
    """A Target from a name, a Target, or numbers (numbers override the named target's values); default spotify."""
    base = target if isinstance(target, Target) else get_target(target or "spotify")
    if lufs is None and ceiling_dbtp is None:
        return base
    t = custom_target(base.lufs if lufs is None else lufs, base.ceiling_dbtp if ceiling_dbtp is None else ceiling_dbtp)
    return t
