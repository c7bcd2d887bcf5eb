"""Vigie: French-language conflict news -> searchable, alertable intelligence."""

__version__ = "0.1.0"
