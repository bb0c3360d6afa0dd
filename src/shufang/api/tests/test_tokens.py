import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from shufang.core.audit import Actor
from shufang.core.models import ApiToken, AuditEvent
from shufang.core.tokens import api_token_authenticate, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user(username="integrator", password="x" * 20)


def test_a_token_is_stored_only_as_its_hash(user) -> None:
    token, plaintext = api_token_create(user=user, name="OPAC sync", actor=Actor.system())

    import hashlib

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in str(stored.__dict__)
    assert plaintext.startswith(f"sf_{stored.prefix}_")
    assert (
        AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).count() == 1
    )


def test_authenticating_with_a_token_finds_its_user_and_records_the_use(user) -> None:
    token, plaintext = api_token_create(user=user, name="OPAC sync", actor=Actor.system())

    found = api_token_authenticate(plaintext)

    assert found == user
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_wrong_and_inactive_users_tokens_do_not_authenticate(user) -> None:
    token, plaintext = api_token_create(user=user, name="old", actor=Actor.system())
    _other, other_plaintext = api_token_create(user=user, name="other", actor=Actor.system())

    api_token_revoke(token=token, actor=Actor.system())
    revoked = api_token_authenticate(plaintext)
    wrong = api_token_authenticate(
        other_plaintext[:-1] + ("A" if other_plaintext[-1] != "A" else "B")
    )
    user.is_active = False
    user.save()
    inactive = api_token_authenticate(other_plaintext)

    assert (revoked, wrong, inactive) == (None, None, None)


def test_api_token_command_prints_a_working_token_once(user, capsys) -> None:
    call_command("api_token", "create", "--user", "integrator", "--name", "catalogue sync")

    out = capsys.readouterr().out.strip()
    assert api_token_authenticate(out) == user
    assert ApiToken.objects.get(user=user).name == "catalogue sync"
