"""Output files: written to temporary names and renamed into place last (``staging``)."""
