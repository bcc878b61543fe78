"""Documents: agreements, signing packages and signed import, confirmation papers, court report."""
