"""The shared-server adapter: a project in one PostgreSQL/PostGIS schema (see :mod:`.store`)."""
