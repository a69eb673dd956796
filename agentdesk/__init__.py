"""AgentDesk: a desktop agent softphone for contact centers."""

__version__ = "0.1.0"
