"""The project's own errors: each says what is wrong and where, in one line."""


class StudioflowError(Exception):
    """Base of every error studioflow raises on purpose; the CLI prints it on one line and exits 2."""


class AudioFileError(StudioflowError):
    """A missing, unreadable, corrupt or unsupported audio file, or one holding NaN/Inf samples."""


class ParameterError(StudioflowError, ValueError):
    """An impossible parameter value (names the parameter, the value and the allowed range)."""


class SessionError(StudioflowError):
    """A session, project, album or plan file that does not validate (names the file, line and key)."""


class PluginError(StudioflowError):
    """A hosted plugin that cannot be loaded or driven."""


class DeviceError(StudioflowError):
    """An audio interface that cannot be opened or that failed while recording."""


class ProjectLockedError(StudioflowError):
    """Another studioflow command is working on the same project."""


class OutputExistsError(StudioflowError):
    """An output that would replace an earlier delivery the user has not asked to replace."""


class OutputError(StudioflowError, OSError):
    """An output that cannot be written where it was asked: a missing or read-only folder, a full disk."""
