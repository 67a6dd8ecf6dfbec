"""Once-only forms: a hidden one-time key, claimed in the transaction that creates the object."""

import uuid

from django import forms
from django.db import IntegrityError, transaction

from .models import FormSubmission


class OnceOnlyFormMixin(forms.Form):
    """Adds the hidden key. A new key is made each time the empty form is shown; a form shown again
    with errors keeps the key it was sent with, so correcting it and sending again still works once."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


def claim(user, key) -> bool:
    """True the first time a key is sent, False for a repeat. Call inside the creating transaction: if
    that rolls back (the object was not made after all), the key is free again."""
    if key is None:
        return True
    try:
        with transaction.atomic():
            FormSubmission.objects.create(key=key, user=user)
    except IntegrityError:
        return False
    return True
