"""Alembic migrations; ``farebridge db upgrade`` runs them."""
