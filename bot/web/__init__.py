"""The HTTP layer: the API, the managers' Mini App and Telegram's webhook on one aiohttp app."""
