"""Backup and restore: a consistent copy of the whole database, and its return into an empty one."""
