"""Write services for every ledger (see operations.ledger): add and edit one row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record, diff
from shufang.core.exceptions import ValidationFailed
from shufang.core.permissions import require
from shufang.operations.ledger import LedgerSpec, get_ledger


def _require(actor: Actor, spec: LedgerSpec, library_id: int | None) -> None:
    if actor.user is not None:
        require(actor.user, f"{spec.app}.change", library=library_id)


def _check_order(spec: LedgerSpec, values: dict[str, Any]) -> None:
    for later, earlier in spec.date_order:
        a, b = values.get(later), values.get(earlier)
        if a is not None and b is not None and a < b:
            raise ValidationFailed(
                _("%(later)s (%(a)s) is before %(earlier)s (%(b)s).")
                % {"later": spec.label(later), "a": a, "earlier": spec.label(earlier), "b": b},
                field=later,
            )


def _check_point(spec: LedgerSpec, values: dict[str, Any]) -> None:
    point = values.get("service_point")
    if spec.point_kinds and point is not None and point.kind not in spec.point_kinds:
        raise ValidationFailed(
            _("%(point)s is not a service point of a kind this ledger records (%(kinds)s).")
            % {"point": point, "kinds": ", ".join(spec.point_kinds)},
            field="service_point",
        )


def _validated(spec: LedgerSpec, entry: models.Model) -> None:
    try:
        entry.full_clean()
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        text = "; ".join(
            f"{spec.label(name) if name and name != '__all__' else ''} {' '.join(errors)}".strip()
            for name, errors in messages.items()
        )
        raise ValidationFailed(text, fields={k: list(v) for k, v in messages.items()}) from None


def _values(entry: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in names}


def _library_of_values(spec: LedgerSpec, library: Any, values: dict[str, Any]) -> int | None:
    if spec.has_library_field:
        return getattr(library, "pk", library)
    point = values.get("service_point")
    return point.library_id if point is not None else None


@transaction.atomic
def ledger_entry_create(
    *, ledger: str, values: dict[str, Any], actor: Actor, library: Any = None
) -> models.Model:
    """Adds one row to `ledger`. `values` holds its editable fields; `library` (a Library or
    id) is needed for ledgers whose rows belong to a library directly. Refuses dates out of
    order, service points of the wrong kind and anything the model's own validation refuses
    (ValidationFailed), with nothing saved."""
    spec = get_ledger(ledger)
    unknown = set(values) - set(spec.fields) - {"recipient_name"}
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    library_id = _library_of_values(spec, library, values)
    if spec.has_library_field and library_id is None:
        raise ValidationFailed(_("A library is required."), field="library")
    _require(actor, spec, library_id)
    values = dict(values)
    if spec.prepare is not None:
        values = spec.prepare(values)
    _check_order(spec, values)
    _check_point(spec, values)
    entry = spec.model(**values)
    if spec.has_library_field:
        entry.library_id = library_id  # type: ignore[attr-defined]
    _validated(spec, entry)
    entry.save()
    audit_record(
        actor=actor,
        action=f"{spec.name}.created",
        obj=entry,
        changes=_values(entry, spec.fields),
        library=library_id,
    )
    return entry


@transaction.atomic
def ledger_entry_update(
    *, ledger: str, entry: models.Model, changes: dict[str, Any], actor: Actor
) -> models.Model:
    """Changes some editable fields of one row. Locks the row. Same refusals as creation."""
    spec = get_ledger(ledger)
    unknown = set(changes) - set(spec.fields) - {"recipient_name"}
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = spec.model._default_manager.select_for_update().get(pk=entry.pk)
    old_library = spec.library_id_of(locked)
    _require(actor, spec, old_library)
    before = _values(locked, spec.fields)
    values = {**before, **changes}
    if spec.prepare is not None:
        values = spec.prepare(values)
    _check_order(spec, values)
    _check_point(spec, values)
    for name, value in values.items():
        setattr(locked, name, value)
    new_library = spec.library_id_of(locked)
    if new_library != old_library:
        _require(actor, spec, new_library)
    _validated(spec, locked)
    locked.save()
    audit_record(
        actor=actor,
        action=f"{spec.name}.updated",
        obj=locked,
        changes=diff(before, _values(locked, spec.fields)),
        library=new_library,
    )
    return locked
