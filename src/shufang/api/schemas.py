from ninja import Schema
from pydantic import ConfigDict


class Input(Schema):
    """Request bodies refuse unknown fields, so a typo or a read-only field (an item's status)
    is a 400 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")
