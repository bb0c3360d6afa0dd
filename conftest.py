"""Test-wide setup. Domain code under test speaks English unless a test asks otherwise, so
assertions on messages read the same for everyone; HTTP requests still go through the locale
middleware and get the interface's default language (Simplified Chinese)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages_outside_requests():
    with translation.override("en"):
        yield
