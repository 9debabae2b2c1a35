"""The vocabulary of the note router (``producer.routing``): the roles, the words that name a note's subject (parts,
players, sections, the whole song, the master, several songs, playback systems), and the cues: what a note says is
wrong or asks for, the role that handles it for each kind of subject, and why, in that role's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("recording", "mixing", "mastering", "producer")
ROLE_TITLES = {
    "recording": "recording engineer",
    "mixing": "mixing engineer",
    "mastering": "mastering engineer",
    "producer": "producer",
}
SCOPES = ("master", "album", "system", "player", "part", "section", "whole", "unclear")
UNSURE_BELOW = 0.5  # confidence under which (or on a tie between roles) the producer looks at the note instead
UNSURE_REASON = "I am not sure: the producer will look"
# a note about one part with no complaint I know is most often about how that part sits in the mix
PART_PRIOR = 0.55
PART_PRIOR_REASON = ("a note on one part ({subject}) with nothing that points elsewhere: the mixing engineer looks at "
                     "how it sits in the mix")
REC, MIX, MST, PRO = ROLES

# --- what a note can be about --------------------------------------------------------------------------------------

# parts of an arrangement and the people playing them (a note naming one is about that part)
PART_WORDS = (
    "vocal", "vocals", "vox", "voice", "lead vocal", "backing vocals", "backing vox", "bv", "bvs", "bv's", "bgv",
    "bgvs", "harmony vocal", "harmonies", "harmony", "choir", "rap", "ad libs", "ad-libs", "adlibs", "lyrics", "lyric",
    "words", "kick", "kick drum", "bass drum", "snare", "rimshot", "hi-hat", "hi-hats", "hihat", "hi hat", "hats",
    "hat",
    "cymbals", "cymbal", "ride", "crash", "toms", "tom", "overheads", "drums", "drum", "kit", "percussion", "claps",
    "clap", "hand claps", "shaker", "tambourine", "tamb", "tambo", "congas", "bongos", "808", "bass", "bassline",
    "bass line", "bass guitar", "sub", "sub bass", "guitar", "guitars", "gtr", "gtrs", "acoustic", "electric", "riff",
    "uke", "ukulele", "banjo", "mandolin", "12 string", "keys", "keyboard", "piano", "organ", "rhodes", "synth",
    "synths", "stab", "stabs", "pad", "pads", "strings", "string", "violin", "violins", "cello", "viola", "harp",
    "brass", "horns", "horn", "trumpet", "trombone", "sax", "saxophone", "flute", "clarinet", "lead", "arp", "pluck",
    "sample", "loop", "mellotron", "marimba", "glockenspiel", "glock", "bells",
)
# the people playing them: the same subject, but tempo drifting in their hands is a performance
PLAYER_WORDS = (
    "singer", "singers", "vocalist", "backing vocalist", "backing singers", "singing", "drummer", "bassist",
    "guitarist", "pianist", "keyboardist", "keys player", "sax player", "player", "he", "she",
)
FUZZY_PARTS = tuple(w for w in PART_WORDS + PLAYER_WORDS if len(w) >= 5 and " " not in w and w.isalpha())
SECTION_WORDS = (
    r"intro|verses?|verse \d|pre[- ]?chorus(?:es)?|choruses|chorus|hook|bridge|middle (?:8|eight)|breakdown|the drop"
    r"|outro|ending|build|solo section|instrumental break|break|tag|first half|second half|interlude section"
)
WHOLE_WORDS = (
    r"(?:the|this|our) (?:whole |entire )?(?:song|track|tune|mix|thing|record|version)|the whole thing|overall"
    r"|everything|the whole|on the whole|in general|as a whole|all of it|ours|\bit\b|it's|its|this one|this"
)
MASTER_WORDS = r"\bmaster\b|\bmastered\b|final (?:master|version)|the limiter|full band kicks in"
ALBUM_WORDS = (
    r"other (?:songs?|tracks?|ones)|the others|rest of the (?:album|ep|record|songs|tracks)|\b(?:album|ep)\b"
    r"|tracks? (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b|songs? \d+\b|songs? (?:one|two|three)\b"
    r"|(?:than|as|match) the (?:single|ballad|opener|older ones|others)|back to back|belong together"
    r"|different records|songs around|the interlude|next to the (?:other|rock|rest|loud|quiet)"
    r"|the (?:first|last|next|previous|closing|opening) (?:two )?(?:song|track)s?"
    r"|the one before|last year|our last (?:ep|album|record|single)|side [ab]\b|the record\b(?! as a whole)"
)
SYSTEM_WORDS = (
    r"on (?:my |the |a |cheap |small |big )*(?:phone|iphone|laptop|earbuds|ear ?pods|airpods|headphones|tv|telly"
    r"|bluetooth speaker|speakers?|kitchen radio|radio|studio monitors|monitors)|in (?:the|my) car|in the club"
    r"|small speakers|every system|car stereo|club system"
)

# --- what is wrong or asked for -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """A kind of complaint or request: its pattern, the role it points to per subject, and why, per role."""

    name: str
    pattern: str
    roles: dict[str, str | None]   # scope -> role ("*" for any other scope; None: the cue says nothing there)
    reasons: dict[str, str]        # role -> why, with {subject}
    weight: float = 1.0

    def role_for(self, scope: str) -> str | None:
        """The role this cue points to for a subject of ``scope`` (a player is a part unless said otherwise)."""
        if scope in self.roles:
            return self.roles[scope]
        if scope == "player" and "part" in self.roles:
            return self.roles["part"]
        return self.roles.get("*")


def _all(role: str) -> dict[str, str | None]:
    return {"*": role}


def _mix_unless_whole(whole_role: str = MST) -> dict[str, str | None]:
    """Mixing for parts and sections; the mastering engineer (or ``whole_role``) for the whole song and beyond."""
    return {"part": MIX, "section": MIX, "unclear": MIX, "whole": whole_role, "master": MST, "album": MST,
            "system": MST}


REASONS = {
    "tuning": {REC: "tuning and wrong notes in {subject} are fixed by the recording engineer with a retake or a comp"},
    "timing": {REC: "the timing of a performance ({subject}) is fixed at the source by the recording engineer: a "
                    "tighter take or a comp"},
    "noise": {REC: "noise, hum, clicks and bleed come from the recording of {subject}: the recording engineer fixes "
                   "them at the source or with a clean take"},
    "take": {REC: "takes, punch-ins, comps and re-records of {subject} are the recording engineer's work"},
    "capture": {REC: "how {subject} was captured (mic, placement, input level, preamp) is the recording engineer's "
                     "work: fix it at the source or re-record"},
    "level": {MIX: "the mixing engineer sets the balance between parts: the level of {subject} against the rest",
              MST: "the mastering engineer sets the loudness of the whole song, against the other songs and the "
                   "platforms"},
    "tone": {MIX: "the tone of {subject} is shaped with EQ by the mixing engineer",
             MST: "the tonal balance of the whole record is the mastering engineer's: EQ on the master"},
    "size": {MIX: "how big {subject} sounds is a mix decision (level, EQ, width, space) of the mixing engineer",
             PRO: "how big a section feels comes from its arrangement: the producer's call",
             MST: "how big the whole master sounds against the mix is the mastering engineer's"},
    "dynamics": {MIX: "punch and dynamics of {subject} come from compression and transient shaping by the mixing "
                      "engineer",
                 MST: "the dynamics of the whole master (limiting, compression) are the mastering engineer's"},
    "space": {MIX: "reverb, delay and depth on {subject} are effects the mixing engineer sets",
              MST: "the depth and space of the whole master, and the space between songs, are the mastering "
                   "engineer's"},
    "stereo": {MIX: "panning and width of {subject} are set by the mixing engineer",
               MST: "the width of the whole master is a mastering engineer's decision"},
    "effects": {MIX: "effects on {subject} (chorus, flanger, filters, distortion) are set by the mixing engineer",
                MST: "distortion of the whole record (over-limiting, clipping) is the mastering engineer's to fix"},
    "limiting": {MST: "overall loudness, peaks and limiting are set by the mastering engineer when mastering the whole "
                      "record"},
    "platform": {MST: "loudness targets and delivery formats per platform are the mastering engineer's"},
    "delivery": {MST: "delivery files, formats and metadata are prepared by the mastering engineer"},
    "album": {MST: "consistency between songs of the release (loudness, tone) is the mastering engineer's"},
    "sequencing": {MST: "sequencing, gaps, fades and transitions between songs are set by the mastering engineer"},
    "translation": {MST: "how the record translates across playback systems (phones, cars, earbuds, clubs) is "
                         "checked and fixed by the mastering engineer"},
    "structure": {PRO: "structure and arrangement ({subject}) are the producer's decisions"},
    "tempo": {PRO: "tempo and feel of the song are the producer's call",
              REC: "a player drifting off the tempo ({subject}) is fixed at the source by the recording engineer: a "
                   "steadier take or a comp"},
    "vision": {PRO: "the vision, energy, melody and direction of the song are the producer's"},
    "instrumentation": {PRO: "which instruments play what (adding, swapping, removing parts) is the producer's "
                             "arrangement call"},
    "version": {PRO: "alternative versions and edits of the song are the producer's decision"},
    "project": {PRO: "the schedule, the release and what is left to do are the producer's to manage"},
    "comparison": {PRO: "how the song should feel against the records it is compared with is the producer's vision",
                   MIX: "the sound of {subject} against the record it is compared with is shaped by the mixing "
                        "engineer",
                   MST: "the whole master against the reference is the mastering engineer's"},
}

PART_ALT = "|".join(sorted((re.escape(w) for w in PART_WORDS), key=len, reverse=True))
PLAYER_ALT = "|".join(sorted((re.escape(w) for w in PLAYER_WORDS), key=len, reverse=True))

CUE_PATTERNS: dict[str, str] = {
    "tuning": (
        r"out of (?:tune|key)|in tune|pitch(?:y|ed|ing|[- ]?wise)?|off[- ]?(?:key|pitch)"
        r"|flat(?! ?(?:,|and|sounding|and lifeless))|sharp\b(?![- ]sounding| transient| attack| edge)|sour"
        r"|wrong (?:note|chord)s?|bum notes?|clams?|intonation"
        r"|detuned|tuned|retune|tune (?:the|her|his|it|them|that)|auto-?tune it|melodyne|voice cracks|cracks on"
        r"|missed (?:it|the note)|sings an? [a-g] instead|warbl|wobbly pitch"
    ),
    "timing": (
        r"rush(?:es|ing|ed)?|dragg(?:ing|ed)|lag(?:s|ging)|behind the (?:beat|click|kick|groove|grid)|behind everyone"
        r"|ahead of|(?:a \w+ )?late\b|early\b|sped up|speeds up|slowed down|fluctuat|unsteady|flamm?(?:y|ing|s)?\b"
        r"|not together|(?:not|isn'?t|aren'?t) tight|tighten|loose\b|line up|timing|sloppy|messy|pocket|wobbl|drifts?"
        r"|drifting|off the (?:click|grid|beat)|out of (?:time|sync)|not in time|off time|quantiz"
    ),
    "noise": (
        r"a click\b|clicks|click track|clicking|\bhum\b|humming|buzz(?:es|ing|y)?|hiss|crackl|creak|squeak|rattl"
        r"|vibrat|whine|whining|\bpops?\b(?! song)|plosives?|dropouts?|glitch|noise|bleed(?:ing)?|spill(?:ing)?"
        r"|barking|traffic|fridge|computer fan|\bfan\b|air ?con|ticking|static|interference|ground loop|lip smack"
        r"|mouth (?:noise|click)|breaths?\b|thump on|talking|chatter|in the background"
    ),
    "take": (
        r"takes? (?:\d|one|two|three|four|five)|(?:this|that|the|a|another|better|best|first|second|last|fresh|new"
        r"|clearer|vocal|drum|bass|guitar|one more) take\b|takes? (?:of|from)|takes\b(?! forever)|re-?record|re-?track"
        r"|re-?amp|track (?:it|them|that) again|record (?:it|that|them|the \w+) again|punch(?:[- ]?in)?\b(?!y)"
        r"|comp\b|another (?:pass|go)|redo|re-?do|re-?sing|sing (?:it|them|that) (?:again|better)|replay"
        r"|play (?:it|that) again|do (?:it|that) again|patch it|performance|fluff|flub|mumbl|slurs?|hesitant"
        r"|didn'?t know the part|half asleep|tired that day|holding back|get (?:her|him|them|the \w+) back in"
        r"|phrasing|enunciat|pronounc|overdub|(?:vocal|his|her) delivery|sings \"[^\"]+\" instead|lyric at \d"
    ),
    "capture": (
        r"mics?\b|microphone|miked|mic'?e?d|off axis|out of phase|pop filter|preamps?|di\b|input (?:level|gain)"
        r"|were set up|gain\b|when we (?:tracked|recorded|did)|while (?:we|tracking|recording)|during (?:tracking"
        r"|the session|the \w+ takes)|on the day|tracked (?:it|them|the|in|at|with|through|too)|we (?:recorded"
        r"|tracked|captured)|(?:was|were) (?:recorded|tracked|captured)|lid shut|head was loose|batteries"
        r"|headphone mix|plugged in|sample rate of the|captured\b|ribbon|u87|sm57|sm58|condenser|phantom"
        r"|cables?\b|too hot (?:going in|on the way in)|overload|amp settings|the amp was"
    ),
    "level": (
        r"too (?:loud|quiet|soft|low|high|hot)|(?:loud|quiet|soft)\b|low\b(?! end| mids| key)|louder|quieter|softer"
        r"|buried|present\b|can'?t (?:really )?hear|barely|hear (?:more|the|it|them)|(?<!up )lost\b|gets? lost"
        r"|swallow|drown|overpower|overwhelm|overbearing|dominat|fighting|covering|mask|stick(?:s|ing)? out"
        r"|jumps? out|pokes? out|prominent|audible|make out|disappears?|vanish(?:es)?|volume\b|level\b|fader|\d+ ?db\b"
        r"|(?:bring|turn|come|push|pull|dial|nudge|ride|move|sit)\b.{0,30}?\b(?:up|down|back)\b|tuck(?:ed)? in"
        r"|couple of db|(?:up|down) (?:a|by a)? ?(?:bit|touch|hair|smidge|notch|tad|little)|crank|lower (?:the|it|that)"
        r"|raise|\bmia\b|missing in|stepped on|distracting|in the way|out front|too far (?:back|forward|behind)"
        r"|behind the (?:band|guitars?|drums|lead|music|track|rest)|on top|the star|a bit much|way too hot"
        r"|(?:^|, )(?:more|less) (?:of the )?(?:" + PART_ALT + r")\b|more of the|less of the|not enough|where'?s the"
        r"|where (?:is|are) the|balance|blend|sits?\b|sitting|pasted|disconnected|weaker|hard to understand"
        r"|intelligib|can'?t understand|too much\b(?! going on)|crowded|on top of each other|ear-?splitting"
    ),
    "tone": (
        r"harsh|bright|dull|dark(?:er)?|mudd?y?|mush|boom|boxy|thin\b|tinny|nasal|honk|brittle|sibilan|s's|esses"
        r"|shrill|piercing|screech|edgy|edge\b|spitty|fizzy|warm|air\b|sparkle|shimmer|sheen|sizzl|crisp"
        r"|clear(?:er)?|clarity|definition|presence|body|fat(?:ten|ter)?|weight|low end|bottom end|low mids|mids\b"
        r"|mid-?range|highs|lows\b|top end|on top|treble|eq\b|ring(?:y|ing|s)?\b|resonan|whistl|scoop|bite|growl"
        r"|cardboard|papery|wooll?y|woofy|plinky|plastic|cheap|splashy|cut through|cuts through|\d+ ?k?hz|muffled"
        r"|hollow|bassy|scratchy|sharp[- ]sounding|\d+(?:\.\d+)? ?k\b(?!-)|round(?:er)?\b|heavier|digital"
        r"|high end|quacky|congested|underwater|clicky|glassy|metallic"
        r"|tubby|flabby|veiled|smeared|abrasive|boost|roll off|high[- ]pass|low[- ]pass|frequenc|ice ?pick|squawk"
        r"|got a cold|blanket|sweeter|silky|smooth(?:er)?|painful|hurts\b|tone\b"
    ),
    "dynamics": (
        r"punch|oomph|wimpy|limp|weak|hits? (?:me |harder|hard)|hit hard|hitting|smack|slam|thwack|whack|knock"
        r"|crack\b|snap|impact|attack|transient|spiky|peaky|compress|squash|squeez|crushed|smashed|pump|bounce"
        r"|uneven|even\b|consistent|jumps around|breathe?s?\b|lifeless|no life|movement|dynamic|tame|control"
    ),
    "space": (
        r"reverb|verb\b|delay|echo|slap\b|hall\b|plate\b|same room|in(?:to)? the room|roomy|wet\b|dry\b|depth|distant"
        r"|far away|upfront|up front|in your face|too close|closer|intimate|washy|wash\b|drenched|soaked|swim"
        r"|cathedral|arena|stadium|cave\b|tail\b|tiny box|curtain|detached|ambien"
        r"|spacious|space\b|pre-?delay|throws?\b|ping[- ]?pong|karaoke"
    ),
    "stereo": (
        r"pan(?:ned|ning|s)?\b|wide(?:r)?|narrow(?:er)?|width|mono\b|stereo|(?:to|on|in) the (?:left|right)"
        r"|(?:hard|far|more|further|bit|little) (?:left|right)\b|(?:left|right) (?:side|channel|speaker|ear)"
        r"|left and right|left-right"
        r"|cent(?:re|er)|in the middle|spread|lopsided|one side|side to side|bouncing between|image\b|panorama"
        r"|drummer sees|audience perspective"
    ),
    "effects": (
        r"chorus effect|chorus(?:ed)? on the|distort(?:s|ed|ion|ing)?|flanger|phaser|filter sweep|auto-?filter"
        r"|telephone effect|tremolo|vocoder|robotic|bitcrush|saturat|overdriven|overdrive|fuzz|grit(?:ty)?"
        r"|dirt(?:y|ier)\b|crunch(?:y|ier)?|clips?\b|clipping|gated|wah\b|leslie|effects?\b"
    ),
    "size": r"big(?:ger)?\b|huge|massive|smaller|small\b|tiny\b(?! box)|larger|grand",
    "limiting": (
        r"limit(?:er|ing)|crushed|smashed|headroom|true peak|peaks|dbtp|lufs|fatiguing|ears hurt|turned down"
        r"|loud enough|as loud as|(?:quieter|louder) than (?:everyone|everything)|normali[sz]|loudness|competition"
        r"|dynamic range|inter-?sample"
    ),
    "platform": (
        r"spotify|apple (?:music|digital)|itunes|youtube|amazon music|tidal|deezer|soundcloud|bandcamp|streaming"
        r"|cd\b|vinyl|test pressing|hi-?res|mp3s?\b|aac\b|wav\b|flac\b|broadcast|plugger|sync library|playlist"
        r"|cassette|instagram"
    ),
    "delivery": (
        r"isrc|upc\b|ean\b|barcode|metadata|tags\b|artwork in|credits|cue sheet|pq (?:codes|sheet)|ddp\b|file names"
        r"|dither|bit depth|sample rate\b(?! of the)|\d+[- ]?bit\b|44\.1|48k|\d+ ?khz|replication|the files"
        r"|the wav you sent|gapless|catalog(?:ue)? number|album artist|file format"
    ),
    "album": ALBUM_WORDS,
    "sequencing": (
        r"gaps?\b|silence|transition from|crossfade|segue|running order|track ?order|tracklist|order of (?:the )?"
        r"songs|flow\b|fade (?:on|at) the (?:last|end|very end)|(?:album|record|ep) ends|hidden track|pause before"
        r"|straight into the (?:second|next|first)|spacing|starts too soon|into track|to the end of the"
        r"|between (?:the )?(?:songs|tracks)|one song (?:into|to) the next|sequenc|fade[- ]?in at the start"
        r"|at the start of track|the (?:opener|closer)\b"
    ),
    "translation": SYSTEM_WORDS,
    "structure": (
        r"drags?\b|dragging|too long|too short|repetitive|repeat|boring(?! into)|goes on|overstays|forever to get going"
        r"|cut (?:the|a|it|that|out|down|verse|chorus|\d)|trim|too much going on|comes? in\b|drop (?:it|the|that)"
        r"|lose the (?:pre|verse|chorus|bridge|intro|outro)|shorten|extend|half as long|twice as long|dead air"
        r"|double the (?:last|first|final)|add (?:a|an|another) (?:section|verse|chorus|bridge|break|breakdown|part"
        r"|intro|outro|middle|pre)|a breakdown|start with|straight into the chorus|build(?:s|up| up)?\b|just stops"
        r"|peaks too early|bars\b|\d+ seconds|\d+ minutes|under \d:\d\d|end cold|fading out|fade out|fade it"
        r"|one time too many|comes back|doesn'?t add anything|arrangement|structure|a different song"
        r"|the hook at the end|verse chorus|contrast|feels? the same|same all the way|predictable|length"
        r"|section\b|and done"
    ),
    "tempo": (
        r"tempo|bpm\b|too (?:slow|fast)|faster|slower|sluggish|plodding|swing|shuffle|half[- ]?time|double[- ]?time"
        r"|laid back|gear change|at \d{2,3} instead|groove\b|pace\b|speed (?:it )?up|slow (?:it )?down"
    ),
    "vision": (
        r"energy|vibe|lift|mood|emotion|raw(?:er)?\b|polished|too (?:happy|sad|chill|poppy|slick|clean|pretty"
        r"|sweet|safe|dark for|light)|sound like us|missing something|missing a|key change|(?:higher|lower|different)"
        r" key|melod(?:y|ies)|the chords|chord changes|resolve|rewrit|demo\b|a bit safe|edge we had|catchy|b-side"
        r"|not a single|lead single|film score|feel like|feels like a|go anywhere|direction|genre|cinematic"
        r"|upbeat|clich|dated|modern|retro|anthemic|epic\b|personality|memorable|commercial|radio friendly"
        r"|excit|generic|what do you think|unfinished|half-?baked|too similar|similar to|same as|rip-?off"
    ),
    "instrumentation": (
        r"add(?:ing)? (?:a |an |some )?(?:\w+ )?(?:" + PART_ALT + r"|gang vocal)\b|swap|replace|instead of the"
        r"|lose the\b|get rid of|should be an? |try an? (?!different)|what about (?:a|an|some)\b|strip(?:ped)? "
        r"(?:it )?back|come in until|counter ?melody|different riff|different part|layers|programmed|miss the\b"
        r"|walk more|for good|like congas|real (?:drummer|bass|strings|piano|horns)|too busy|busy\b|simpler"
        r"|simplify|bring in (?:a|an|some)|take out the|instrument(?:s|ation)|voicing|octave (?:up|higher|lower)"
        r"|horn section|string section|gang vocal|with just|just (?:the )?\w+ and \w+|only (?:the )?\w+ and \w+"
        r"|(?:^|maybe |how about |what about |perhaps )(?:a|an|some) (?:\w+ )?"
        r"(?:" + PART_ALT + r")"
    ),
    "version": (
        r"(?:acoustic|instrumental|clean|stripped[- ]?(?:back|down)?|piano|extended|live|slowed|sped[- ]up|cappella"
        r"|christmas|tv|radio|dub|unplugged|orchestral|shorter|short|alternate|alternative|demo) (?:version|edit|mix"
        r"|cut)|remix|version (?:without|with no|in a (?:lower|higher|different) key)|edit for the|a version"
        r" (?:in|of|with) |radio edit|tv mix|an instrumental\b|instrumental (?:for|and)|acc?app?ella"
    ),
    "project": (
        r"release date|the release|deadline|budget|schedul|on track for|book(?:ed|ing)?\b|timeline|eta\b"
        r"|by (?:next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|the end)|next week"
        r"|this week|next month|a month\b|pre-?save|split sheets|press release|manager|what'?s (?:left|still open"
        r"|the plan)|still open|finished\?|is the artwork|pick the single|on (?:monday|tuesday|wednesday|thursday"
        r"|friday|saturday|sunday)|for (?:monday|tuesday|wednesday|thursday|friday)"
        r"|(?:on|by|for|until|before|after) the \d+(?:st|nd|rd|th)\b|studio time|(?:time|money) left|have left"
        r"|we make it|over budget|on the call|rough bounce|latest versions|send (?:it|me|the)|before (?:we can|then)"
        r"|overdubs are done|the label|invoice|contract|publisher|sync agent|final version or|still changing"
        r"|when (?:is|are|will|do|can) (?:we|the|it)|how long (?:will|until)|to-?do|checklist|who is"
    ),
    "comparison": (
        r"sounds? (?:more )?like (?!it'?s|they'?re|a cardboard|a wet)|like (?:on|the ones on|an old|early|a motown)"
        r"|as \w+ as (?:on|the)|the reference|references|compared to (?!the rest of the band|everything)"
        r"|the energy of|more like"
    ),
}

CUE_WEIGHTS = {
    "tuning": 1.6, "timing": 1.4, "noise": 1.5, "take": 1.6, "capture": 1.6, "level": 1.0, "tone": 1.0,
    "dynamics": 1.0, "space": 1.0, "size": 0.8, "stereo": 1.0, "effects": 1.0, "limiting": 1.5, "platform": 1.6,
    "delivery": 1.8,
    "album": 1.1, "sequencing": 2.0, "translation": 0.6, "structure": 1.3, "tempo": 1.3, "vision": 1.2,
    "instrumentation": 1.6, "version": 2.5, "project": 2.5, "comparison": 0.6,
}

CUE_ROLES: dict[str, dict[str, str | None]] = {
    "tuning": _all(REC),
    "timing": {"part": REC, "*": None},
    "noise": _all(REC),
    "take": _all(REC),
    "capture": _all(REC),
    "level": _mix_unless_whole(),
    "tone": _mix_unless_whole(),
    "dynamics": _mix_unless_whole(),
    "space": {"*": MIX, "album": MST, "master": MST},
    "size": {"*": MIX, "section": PRO, "master": MST, "album": MST, "system": MST},
    "stereo": {"*": MIX, "master": MST},
    "effects": _mix_unless_whole(),
    "limiting": {"*": MST, "part": None, "player": None},
    "platform": _all(MST),
    "delivery": _all(MST),
    "album": _all(MST),
    "sequencing": _all(MST),
    "translation": _all(MST),
    "structure": {"*": PRO, "album": None},
    "tempo": {"*": PRO, "player": REC},
    "vision": _all(PRO),
    "instrumentation": _all(PRO),
    "version": _all(PRO),
    "project": _all(PRO),
    "comparison": {"*": PRO, "part": MIX, "master": MST, "album": MST},
}

CUES: tuple[Cue, ...] = tuple(Cue(name, CUE_PATTERNS[name], CUE_ROLES[name], REASONS[name], CUE_WEIGHTS[name])
                              for name in CUE_PATTERNS)

# --- how a note is said ---------------------------------------------------------------------------------------------

PRAISE = (
    r"\b(?:love(?! (?:a|an|some|more|less|it if|to|the idea|if))|loving|great|awesome|amazing|perfect|brilliant"
    r"|nice|good|fine|works|sounds? good|nearly there"
    r"|almost there|otherwise|ready for)\b"
)
PRAISE_WEIGHT = 0.3   # a clause of praise next to a complaint counts for this much
