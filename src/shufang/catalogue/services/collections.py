"""Collection services: the parts of the holdings with their own lending character (adult
lending, children's, local documents, reference...). Collections are shared by the whole
network. Each service runs in one transaction and writes one audit event per change.

Permission: when the actor is a staff user, `catalogue.change` is required. System and import
actors (no user) are trusted callers. A collection's code is its identity (import files and
the demo refer to it): it is set at creation and never changed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import Collection
from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.permissions import require

COLLECTION_FIELDS = frozenset({"name", "name_en", "loanable", "juvenile"})
CODE_MAX = 32
NAME_MAX = 100


def _require(actor: Actor) -> None:
    if actor.user is not None:
        require(actor.user, "catalogue.change")


def _clean_code(code: str) -> str:
    code = code.strip()
    if not code or len(code) > CODE_MAX or any(c.isspace() for c in code):
        raise ValidationFailed(
            _("A collection code is 1 to %(n)d characters without spaces.") % {"n": CODE_MAX},
            field="code",
        )
    return code


def _clean_name(name: str, field: str, required: bool) -> str:
    name = name.strip()
    if required and not name:
        raise ValidationFailed(_("The collection's name is required."), field=field)
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("A name is at most %(n)d characters.") % {"n": NAME_MAX}, field=field
        )
    return name


@transaction.atomic
def collection_create(
    *,
    code: str,
    name: str,
    actor: Actor,
    name_en: str = "",
    loanable: bool = True,
    juvenile: bool = False,
) -> Collection:
    """Creates a collection. The code is unique (Conflict), enforced by the database."""
    _require(actor)
    code = _clean_code(code)
    collection = Collection(
        code=code,
        name=_clean_name(name, "name", required=True),
        name_en=_clean_name(name_en, "name_en", required=False),
        loanable=loanable,
        juvenile=juvenile,
    )
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as exc:
        raise Conflict(
            _("The collection code %(code)s is already in use.") % {"code": code}, field="code"
        ) from exc
    audit_record(
        actor=actor,
        action="collection.created",
        obj=collection,
        changes={
            "code": code,
            "name": collection.name,
            "loanable": loanable,
            "juvenile": juvenile,
        },
    )
    return collection


@transaction.atomic
def collection_update(*, collection: Collection, actor: Actor, **changes: Any) -> Collection:
    """Changes the given fields (among COLLECTION_FIELDS; the code cannot change). Locks the
    collection row. Writes no audit event when nothing changes."""
    _require(actor)
    unknown = set(changes) - COLLECTION_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], "name", required=True)
    if "name_en" in changes:
        changes["name_en"] = _clean_name(changes["name_en"], "name_en", required=False)
    locked = Collection.objects.select_for_update().get(pk=collection.pk)
    before = {key: getattr(locked, key) for key in changes}
    delta = diff(before, changes)
    if delta:
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(actor=actor, action="collection.updated", obj=locked, changes=delta)
    collection.refresh_from_db()
    return locked
