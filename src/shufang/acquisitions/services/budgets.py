"""Funds, budget lines and vendors.

Money is committed by order lines, bookshop purchases and subscriptions, and spent by invoice
lines; `budget_line_reserve` is the one check every commitment goes through: it locks the
budget line row, so two orders at once cannot both take the last of a line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.errors import BudgetExceeded
from shufang.acquisitions.models import BudgetLine, Fund, Vendor, VendorKind
from shufang.acquisitions.selectors import budget_line_status
from shufang.acquisitions.services.common import clean_price, require_acq
from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.network.models import Library


def fund_create(*, library: Library, year: int, name: str, actor: Actor) -> Fund:
    require_acq(actor, library)
    if not name.strip():
        raise ValidationFailed(_("A fund needs a name."), field="name")
    if Fund.objects.filter(library=library, year=year, name=name.strip()).exists():
        raise Conflict(_("This library has a fund of this name for the year."), field="name")
    with transaction.atomic():
        fund = Fund.objects.create(library=library, year=year, name=name.strip())
        audit_record(actor=actor, action="fund.create", obj=fund, library=library.pk)
    return fund


def budget_line_create(
    *, fund: Fund, code: str, name: str, amount: Decimal, actor: Actor, warn_at_percent: int = 90
) -> BudgetLine:
    require_acq(actor, fund.library_id)
    money = clean_price(amount, field="amount")
    if money is None:
        raise ValidationFailed(_("A budget line needs an amount."), field="amount")
    if not code.strip() or not name.strip():
        raise ValidationFailed(_("A budget line needs a code and a name."), field="code")
    if BudgetLine.objects.filter(fund=fund, code=code.strip()).exists():
        raise Conflict(_("The fund has a line with this code."), field="code")
    with transaction.atomic():
        line = BudgetLine.objects.create(
            fund=fund,
            code=code.strip(),
            name=name.strip(),
            amount=money,
            warn_at_percent=warn_at_percent,
        )
        audit_record(
            actor=actor,
            action="budget_line.create",
            obj=line,
            library=fund.library_id,
            changes={"amount": money},
        )
    return line


def budget_line_reserve(
    *, line: BudgetLine, amount: Decimal, allow_overspend: bool = False
) -> BudgetLine:
    """Inside the caller's transaction: lock the line and refuse a commitment larger than
    what remains (unless `allow_overspend`)."""
    locked = BudgetLine.objects.select_for_update().select_related("fund").get(pk=line.pk)
    status = budget_line_status(line=locked)
    if amount > status.remaining and not allow_overspend:
        raise BudgetExceeded(
            _("%(line)s has %(remaining)s left; this needs %(amount)s.")
            % {"line": locked.name, "remaining": status.remaining, "amount": amount},
            budget_line=locked.pk,
            remaining=str(status.remaining),
            amount=str(amount),
        )
    return locked


def vendor_create(
    *,
    code: str,
    name: str,
    kind: str,
    actor: Actor,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    claim_after_days: int = 60,
) -> Vendor:
    require_acq(actor)
    if kind not in VendorKind.values:
        raise ValidationFailed(_("Unknown kind of vendor."), field="kind")
    if not code.strip() or not name.strip():
        raise ValidationFailed(_("A vendor needs a code and a name."), field="name")
    if Vendor.objects.filter(code=code.strip()).exists():
        raise Conflict(_("A vendor with this code exists."), field="code")
    with transaction.atomic():
        vendor = Vendor.objects.create(
            code=code.strip(),
            name=name.strip(),
            kind=kind,
            contact_name=contact_name,
            phone=phone,
            email=email,
            address=address,
            claim_after_days=claim_after_days,
        )
        audit_record(actor=actor, action="vendor.create", obj=vendor)
    return vendor


def vendor_update(*, vendor: Vendor, actor: Actor, **changes: Any) -> Vendor:
    require_acq(actor)
    allowed = {"name", "contact_name", "phone", "email", "address", "claim_after_days", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed."), fields=sorted(unknown))
    with transaction.atomic():
        locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
        before = {key: getattr(locked, key) for key in changes}
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        from shufang.core.audit import diff

        audit_record(actor=actor, action="vendor.update", obj=locked, changes=diff(before, changes))
    return locked


def fund_update(*, fund: Fund, name: str, actor: Actor) -> Fund:
    """Rename a fund (its year and library stay). Locks the fund row."""
    require_acq(actor, fund.library_id)
    if not name.strip():
        raise ValidationFailed(_("A fund needs a name."), field="name")
    with transaction.atomic():
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        before = locked.name
        locked.name = name.strip()
        locked.save(update_fields=["name", "updated_at"])
        audit_record(
            actor=actor,
            action="fund.update",
            obj=locked,
            library=locked.library_id,
            changes={"name": [before, locked.name]},
        )
    return locked


def budget_line_update(
    *,
    line: BudgetLine,
    actor: Actor,
    name: str | None = None,
    amount: Any = None,
    warn_at_percent: int | None = None,
) -> BudgetLine:
    """Change a line's name, amount or warning threshold. An amount below what is already
    committed and spent is allowed (the budget was cut): the line then shows as overspent.
    Locks the line row."""
    require_acq(actor, line.fund.library_id)
    changes: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise ValidationFailed(_("A budget line needs a name."), field="name")
        changes["name"] = name.strip()
    if amount is not None:
        money = clean_price(amount, field="amount")
        if money is None:
            raise ValidationFailed(_("A budget line needs an amount."), field="amount")
        changes["amount"] = money
    if warn_at_percent is not None:
        if not 1 <= warn_at_percent <= 100:
            raise ValidationFailed(_("Warn between 1 and 100 percent."), field="warn_at_percent")
        changes["warn_at_percent"] = warn_at_percent
    from shufang.core.audit import diff

    with transaction.atomic():
        locked = BudgetLine.objects.select_for_update().get(pk=line.pk)
        before = {key: getattr(locked, key) for key in changes}
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            actor=actor,
            action="budget_line.update",
            obj=locked,
            library=line.fund.library_id,
            changes=diff(before, changes),
        )
    return locked
