"""The command line: one command group per role; parses, calls the API, prints."""
