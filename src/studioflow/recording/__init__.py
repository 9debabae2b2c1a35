"""The recording engineer: capture, crash-safe takes, input checks, comping, alignment."""
