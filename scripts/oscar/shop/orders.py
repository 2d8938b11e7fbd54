"""Prints every order of the test store as one JSON document, oldest first, so a test can tell
which orders an audit placed: number, customer (null for a guest), guest e-mail, total, lines."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
django.setup()

from oscar.core.loading import get_model  # noqa: E402

Order = get_model("order", "Order")

orders = [
    {
        "number": order.number,
        "user_email": order.user.email if order.user else None,
        "guest_email": order.guest_email or None,
        "total_incl_tax": str(order.total_incl_tax),
        "currency": order.currency,
        "lines": [line.title for line in order.lines.all()],
        "placed_at": order.date_placed.isoformat(),
    }
    for order in Order.objects.order_by("id").select_related("user")
]
print(json.dumps(orders))
