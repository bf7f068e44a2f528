"""The web side of the service (the aiohttp app of the link server): pages and operations."""
