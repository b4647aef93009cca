"""Errors that the CLI reports as one clear sentence instead of a traceback."""


class SaicotError(Exception):
    """A user-facing error: bad config, bad data, a missing model, a down server."""
