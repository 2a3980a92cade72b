"""Arabic news archive generator: raw article files → bilingual, searchable static site."""

__version__ = "0.1.0"
