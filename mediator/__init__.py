"""mediator: case manager for court-referred securities-dispute mediation."""

__version__ = "0.1.0"
