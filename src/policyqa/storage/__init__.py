"""Where what users make and what the fleet shares is kept: an embedded SQLite file, or a
PostgreSQL server that several workers and machines share. One schema, one set of migrations."""
