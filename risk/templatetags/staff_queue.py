from django import template
from django.utils import timezone

from risk.staff_queue import staff_queue as staff_queue_of

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_queue(context) -> list:
    """What waits for the signed-in staff member, for the admin start page."""
    return staff_queue_of(user=context["request"].user, now=timezone.now())
