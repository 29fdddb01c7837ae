"""Request schemas (marshmallow) and the JSON shapes of responses."""
