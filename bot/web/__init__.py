"""The bot's HTTP application: health checks, the HTTP API and (other issues) pages, one server."""
