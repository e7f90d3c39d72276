"""Stored identity numbers brought under the current keys, after a key was added to FIELD_ENCRYPTION_KEY or
IDENTITY_HASH_KEY changed (README, "Production settings")."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from django.db import transaction

from investors.kyc import identity_numbers
from investors.models import KycProfile


@dataclass
class KeyRotationReport:
    rewritten: int = 0
    already_current: int = 0
    # KYC profiles that no configured key decrypts: left as they are, for staff to look into.
    unreadable: list[int] = field(default_factory=list)


def kyc_identity_numbers_rotate(*, batch_size: int = 500) -> KeyRotationReport:
    """Encrypts every stored identity number with the first key and hashes it with the current hash key.

    Rows already under both are left alone, so running it again changes nothing. Each batch is one transaction
    holding its rows' locks, so a submission at the same time waits for its row instead of being overwritten.
    """
    report = KeyRotationReport()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                KycProfile.objects.select_for_update(no_key=True)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "id_number_encrypted", "id_number_hash")[:batch_size]
            )
            if not batch:
                return report
            last_pk = batch[-1].pk
            changed = [kyc for kyc in batch if _brought_under_current_keys(kyc, report)]
            # bulk_update: the encrypted number is kept out of the history tables, and a key change is no edit of
            # the investor's identity.
            KycProfile.objects.bulk_update(changed, ["id_number_encrypted", "id_number_hash"])
            report.rewritten += len(changed)


def _brought_under_current_keys(kyc: KycProfile, report: KeyRotationReport) -> bool:
    try:
        number = identity_numbers.decrypt(kyc.id_number_encrypted)
    except InvalidToken:
        report.unreadable.append(kyc.pk)
        return False
    current_cipher = identity_numbers.is_encrypted_with_current_key(kyc.id_number_encrypted)
    current_hash = identity_numbers.lookup_hash(number)
    if current_cipher and kyc.id_number_hash == current_hash:
        report.already_current += 1
        return False
    if not current_cipher:
        kyc.id_number_encrypted = identity_numbers.encrypt(number)
    kyc.id_number_hash = current_hash
    return True
