"""Database: declarative base, column types, engine and sessions, Alembic migrations."""
