"""Seeds the test store: a partner, a product class, categories, products with stock and
prices, and shipping countries. Safe to run again: every row is created or updated in place.
Oscar's default shipping repository offers "Free shipping" when no method is configured.
"""

import os
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
django.setup()

from django.contrib.sites.models import Site  # noqa: E402
from django.db import transaction  # noqa: E402
from oscar.apps.catalogue.categories import create_from_breadcrumbs  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

Country = get_model("address", "Country")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")

# (upc, title, category breadcrumbs, price in GBP, units in stock, description)
PRODUCTS = [
    ("9780000000011", "The Patient Customer", "Books > Fiction", "12.99", 500,
     "A novel about a shopper who waited for a reply that never came."),
    ("9780000000028", "Checkout Without Tears", "Books > Non-fiction", "24.50", 500,
     "A field guide to short checkout forms."),
    ("9780000000035", "Field Notes Notebook", "Stationery", "8.00", 500,
     "Ninety-six ruled pages, stitched binding."),
    ("9780000000042", "Collected Store Audits, Leather Edition", "Books > Non-fiction",
     "1249.00", 20, "Every audit, bound in leather. A price with a thousands separator."),
    ("9780000000059", "Out of Print Atlas", "Books > Non-fiction", "39.00", 0,
     "Out of stock: shown in the catalogue, cannot be added to the basket."),
]

# (ISO 3166-1 alpha-2, alpha-3, numeric, printable name, display order: higher comes first)
COUNTRIES = [
    ("GB", "GBR", "826", "United Kingdom", 4),
    ("US", "USA", "840", "United States of America", 3),
    ("FR", "FRA", "250", "France", 2),
    ("ES", "ESP", "724", "Spain", 1),
]


@transaction.atomic
def seed():
    Site.objects.update_or_create(id=1, defaults={"domain": "127.0.0.1", "name": "Oscar Test Books"})
    for a2, a3, numeric, name, order in COUNTRIES:
        Country.objects.update_or_create(
            iso_3166_1_a2=a2,
            defaults={
                "iso_3166_1_a3": a3,
                "iso_3166_1_numeric": numeric,
                "name": name,
                "printable_name": name,
                "display_order": order,
                "is_shipping_country": True,
            },
        )
    partner, _ = Partner.objects.get_or_create(name="Oscar Test Books Warehouse")
    book, _ = ProductClass.objects.update_or_create(
        name="Book", defaults={"requires_shipping": True, "track_stock": True}
    )
    for upc, title, breadcrumbs, price, stock, description in PRODUCTS:
        category = create_from_breadcrumbs(breadcrumbs)
        product, _ = Product.objects.update_or_create(
            upc=upc,
            defaults={
                "title": title,
                "description": description,
                "product_class": book,
                "structure": Product.STANDALONE,
                "is_public": True,
            },
        )
        ProductCategory.objects.get_or_create(product=product, category=category)
        StockRecord.objects.update_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": "SKU-" + upc[-4:],
                "price_currency": "GBP",
                "price": Decimal(price),
                # Orders placed by earlier runs allocate stock; keep the figure fixed.
                "num_in_stock": stock,
                "num_allocated": 0,
            },
        )
    print(f"seeded {len(PRODUCTS)} products, {len(COUNTRIES)} shipping countries")


if __name__ == "__main__":
    seed()
