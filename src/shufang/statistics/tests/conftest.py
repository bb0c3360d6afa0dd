"""The statistics tests reuse the circulation tests' small network (two libraries, the main
building, a 24-hour kiosk, collections, categories, rules)."""

from shufang.circulation.tests.conftest import *  # noqa: F403
