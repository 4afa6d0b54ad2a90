"""Overrides for the test suite. CSRF stays on: tests must send tokens like a browser does."""

TESTING = True
SECRET_KEY = "test-secret-key-not-for-production"
LINE_CHANNEL_ACCESS_TOKEN = None
LINE_CHANNEL_SECRET = None
