import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings

from shufang.core.checks import shufang_deploy_checks
from shufang.core.demo_accounts import DEMO_PASSWORD


def _ids(errors):
    return {e.id for e in errors}


@pytest.mark.django_db
def test_deploy_check_refuses_demo_secret_missing_id_keys_and_demo_passwords():
    get_user_model().objects.create_user("demo-admin", password=DEMO_PASSWORD)

    with override_settings(
        SECRET_KEY=settings.DEMO_SECRET_KEY, ID_ENCRYPTION_KEYS="", ID_HASH_KEY=""
    ):
        ids = _ids(shufang_deploy_checks(None))

    assert {"shufang.E001", "shufang.E002", "shufang.E004"} <= ids


@pytest.mark.django_db
def test_deploy_check_accepts_real_secrets_and_real_passwords():
    get_user_model().objects.create_user("librarian", password="a-long-real-passphrase-2026")

    with override_settings(SECRET_KEY="x" * 60, ID_ENCRYPTION_KEYS="k", ID_HASH_KEY="h"):
        ids = _ids(shufang_deploy_checks(None))

    assert ids & {"shufang.E001", "shufang.E002", "shufang.E004"} == set()
