"""Identity numbers at rest: their keys are independent of SECRET_KEY, the encryption key rotates, and development
data written before the keys were independent still reads."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from investors.kyc import identity_numbers, services
from investors.models import KycProfile, KycStatus
from investors.tests.factories import KycProfileFactory

NUMBER = "11010519491231002X"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_rotating_the_secret_key_keeps_identity_numbers_readable_and_matched(settings):
    token, digest = identity_numbers.encrypt(NUMBER), identity_numbers.lookup_hash(NUMBER)

    settings.SECRET_KEY = "a-new-secret-key-after-rotation-Lq8Zr3Wx6Cv1Bn4Mk7Hj0Gf2Ds5Ap9"

    assert identity_numbers.decrypt(token) == NUMBER
    assert identity_numbers.lookup_hash(NUMBER) == digest


def test_development_data_written_before_the_keys_were_independent_still_reads():
    """A token and a hash written by the earlier version, whose keys were derived from the development secret key."""
    earlier_token = (
        "gAAAAABrDMxm5rVM9PM5hgfnp61v_gluzLViYPm4zi00Qh5OIzzxteGnUDYRWw8wtGMsIaQnKkVXdXvPaxhU3jJT6ece5UE0eh2c"
        "AJsfirAQ8AIZr_n3WV8="
    )

    assert identity_numbers.decrypt(earlier_token) == NUMBER
    assert identity_numbers.lookup_hash(NUMBER) == "e0b62797beaa4eec38446da63b9345d8eb0e9276b3f482f3169378b8f683b245"


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old_token = identity_numbers.encrypt(NUMBER)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new_token = identity_numbers.encrypt(NUMBER)

    assert identity_numbers.decrypt(old_token) == identity_numbers.decrypt(new_token) == NUMBER
    assert Fernet(NEW_KEY).decrypt(new_token.encode()).decode() == NUMBER
    assert not identity_numbers.is_encrypted_with_current_key(old_token)


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_identity_keys", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_rotate_identity_keys_rewrites_every_number_under_the_first_key_and_changes_nothing_when_run_again(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    profiles = KycProfileFactory.create_batch(5)
    numbers = {kyc.pk: identity_numbers.decrypt(kyc.id_number_encrypted) for kyc in profiles}
    hashes = dict(KycProfile.objects.values_list("pk", "id_number_hash"))
    history_rows = KycProfile.history.count()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert rotate(batch_size=2).strip() == "rewritten=5 already_current=0"

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can now be dropped
    for kyc in KycProfile.objects.all():
        assert identity_numbers.decrypt(kyc.id_number_encrypted) == numbers[kyc.pk]
    assert dict(KycProfile.objects.values_list("pk", "id_number_hash")) == hashes
    assert KycProfile.history.count() == history_rows
    tokens = dict(KycProfile.objects.values_list("pk", "id_number_encrypted"))

    assert rotate().strip() == "rewritten=0 already_current=5"
    assert dict(KycProfile.objects.values_list("pk", "id_number_encrypted")) == tokens


@pytest.mark.django_db
def test_a_new_hash_key_rehashes_so_duplicates_are_still_found(settings):
    first = KycProfileFactory(status=KycStatus.VERIFIED)
    number = identity_numbers.decrypt(first.id_number_encrypted)
    settings.IDENTITY_HASH_KEY = b"a-new-identity-hash-key-Pz4Xq8Lw2Nc6Vb0Mk3Jh7Gf1"

    assert rotate().strip() == "rewritten=1 already_current=0"

    second = KycProfileFactory(
        id_number_encrypted=identity_numbers.encrypt(number), id_number_hash=identity_numbers.lookup_hash(number)
    )
    services.kyc_check_identity(kyc_id=second.pk)
    second.refresh_from_db()
    # Held for review as a duplicate, where the demo provider would have verified it.
    assert second.status == KycStatus.PENDING
    assert second.review_reason


@pytest.mark.django_db
def test_a_number_no_key_decrypts_is_reported_and_left_as_it_is(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    lost = KycProfileFactory()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    current = KycProfileFactory()
    before = dict(KycProfile.objects.values_list("pk", "id_number_encrypted"))

    with pytest.raises(CommandError, match=rf"decrypts KYC profiles {lost.pk}:"):
        rotate()

    assert dict(KycProfile.objects.values_list("pk", "id_number_encrypted")) == before
    assert identity_numbers.decrypt(before[current.pk])
