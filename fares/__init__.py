"""Fare engine: network, journey planning, tariffs and pricing."""
