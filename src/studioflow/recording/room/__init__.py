"""Measuring the room: an exponential sine sweep played and recorded through the interface (``measure``), turned
into impulse responses (``sweep``), and read as ISO 3382-2 figures per octave (``decay``), room modes (``modes``),
early reflections (``reflections``) and advice in plain words (``advice``); ``analyze`` ties them together and
``report`` draws the page for people."""
