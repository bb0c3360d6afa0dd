"""A network with an acquisitions team: fund 2020 with budget lines, a bookshop vendor, an open
order, the suggestion rules of the city library."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from shufang.acquisitions.models import BudgetLine, Order, Vendor
from shufang.acquisitions.services.budgets import budget_line_create, fund_create, vendor_create
from shufang.acquisitions.services.orders import order_create
from shufang.acquisitions.services.suggestions import suggestion_rule_set
from shufang.catalogue.models import Collection
from shufang.core.audit import Actor
from shufang.core.models import Role
from shufang.web.tests.fixtures import (
    Network,
    build_network,
    fast_password_hashing,  # noqa: F401
    make_user,
)


@dataclass
class Acq:
    net: Network
    actor: Actor
    user: Any
    suggestions_line: BudgetLine
    purchase_line: BudgetLine
    local_line: BudgetLine
    periodicals_line: BudgetLine
    vendor: Vendor
    order: Order
    juvenile: Collection
    local_collection: Collection


def build_acq(year: int = 2020) -> Acq:
    net = build_network()
    user = make_user("acq_a", (Role.ACQUISITIONS, net.library_a))
    actor = Actor(user=user, channel="desk")
    fund = fund_create(library=net.library_a, year=year, name="购书经费", actor=actor)
    lines = {
        code: budget_line_create(
            fund=fund, code=code, name=name, amount=Decimal(amount), actor=actor
        )
        for code, name, amount in [
            ("periodicals", "报刊", "70000"),
            ("local", "地方文献", "150000"),
            ("suggestions", "读者荐购", "100000"),
            ("purchase", "零散采购", "30000"),
        ]
    }
    vendor = vendor_create(code="XH", name="丽江新华书店", kind="bookshop", actor=actor)
    order = order_create(
        library=net.library_a,
        vendor=vendor,
        number=f"{year}-001",
        service_point=net.point_a,
        collection=net.collection,
        budget_line=lines["purchase"],
        actor=actor,
        ordered_on=dt.date(year, 3, 1),
    )
    suggestion_rule_set(
        library=net.library_a,
        actor=actor,
        price_cap=Decimal("150"),
        excluded_classes="G6, O1",
        yearly_quota=3,
        copies_per_title=1,
        budget_line=lines["suggestions"],
        bookshop_enabled=True,
    )
    juvenile = Collection.objects.create(code="juv", name="少儿外借", juvenile=True)
    local = Collection.objects.create(code="local", name="地方文献", loanable=False)
    return Acq(
        net=net,
        actor=actor,
        user=user,
        suggestions_line=lines["suggestions"],
        purchase_line=lines["purchase"],
        local_line=lines["local"],
        periodicals_line=lines["periodicals"],
        vendor=vendor,
        order=order,
        juvenile=juvenile,
        local_collection=local,
    )


@pytest.fixture
def acq(db: Any) -> Acq:
    return build_acq()
