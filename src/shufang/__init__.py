"""Shufang (书房): library services platform for Chinese public library networks."""

__version__ = "0.1.0"
