import pytest
from django.contrib.auth import get_user_model

from shufang.core.audit import Actor
from shufang.core.exceptions import Conflict, ValidationFailed
from shufang.core.models import AuditEvent, Role, StaffRole
from shufang.core.permissions import has_permission
from shufang.core.services import staff_role_grant, staff_user_create

ACTOR = Actor.system("test")


@pytest.mark.django_db
def test_staff_user_with_a_role_may_do_what_the_role_allows():
    user = staff_user_create(username="he", password="a-long-passphrase", actor=ACTOR)
    staff_role_grant(user=user, role=Role.CATALOGUER, actor=ACTOR)

    assert has_permission(user, "catalogue.import")
    assert not has_permission(user, "readers.view_personal")
    assert user.check_password("a-long-passphrase")
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "staff.create",
        "staff.role_grant",
    ]


@pytest.mark.django_db
def test_duplicate_login_is_refused_and_nothing_is_written():
    staff_user_create(username="he", actor=ACTOR)
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict):
        staff_user_create(username="he", actor=ACTOR)

    assert get_user_model().objects.filter(username="he").count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_unknown_role_is_refused():
    user = staff_user_create(username="he", actor=ACTOR)

    with pytest.raises(ValidationFailed):
        staff_role_grant(user=user, role="janitor", actor=ACTOR)

    assert StaffRole.objects.count() == 0
