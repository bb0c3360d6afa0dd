"""Entry point of the MARC import's reader process (see `importing.marc_import`, `parallel`).

Kept apart from `importing` and free of Django imports at module level: a spawned process
imports the module of its target before anything else, and `importing` needs the app
registry ready, which only `run` sets up."""

from __future__ import annotations

import os
from typing import Any


def run(chunks: Any, settings_module: str, language: str, source: tuple[Any, ...]) -> None:
    """Set Django up (settings, translations for reject reasons), then read `source` into
    `chunks`. The reader never touches the database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.utils import translation

    from shufang.catalogue.services.importing import read_into_queue

    translation.activate(language)
    read_into_queue(chunks, source)
