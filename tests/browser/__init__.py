"""Browser tests: headless Chromium (Playwright) against a real gunicorn server."""
