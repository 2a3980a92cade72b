"""Rebuilding the extractor's line model from labelled pages (a tool of the build layer: it reads
files and runs extraction)."""
