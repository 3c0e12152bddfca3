"""Generate the seed CSVs of the pef_shop sample dbt project.

Standard library only, fixed random seed: running it again writes byte-identical files.

    python scripts/make_seeds.py            # writes into ../seeds (next to this script)
    python scripts/make_seeds.py OUT_DIR    # writes into OUT_DIR
    python scripts/make_seeds.py OUT_DIR --seed 7 --clean
                                            # other random data of the same shape, without the planted
                                            # defects (bench/defect_bench.py)

The data contains planted defects on purpose (see README.md, "Planted defects"); their
locations are the PLANTED_* constants below.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20241231

N_CUSTOMERS = 500
N_PRODUCTS = 60
N_ORDERS = 2000

ORDERS_FROM = date(2024, 1, 1)
ORDERS_TO = date(2024, 12, 31)
SIGNUP_FROM = date(2022, 1, 1)
SIGNUP_TO = date(2024, 11, 30)

# Planted defects (documented in README.md).
PLANTED_NULL_EMAIL_CUSTOMERS = (37, 142, 288, 431)  # email empty -> NULL
PLANTED_FUTURE_UPDATED_AT_CUSTOMER = 77  # updated_at 2099-12-31 (clock skew)
PLANTED_FUTURE_UPDATED_AT = datetime(2099, 12, 31, 0, 0, 0)
PLANTED_DUPLICATE_ORDER_ID = 1234  # appears twice in raw_orders (an older 'placed' version)
PLANTED_ORPHAN_PRODUCT_ID = 999  # product id that does not exist in raw_products
PLANTED_ORPHAN_ORDER_ID = 1500  # the order that gets the orphan order item
PLANTED_BAD_PAYMENT_AMOUNT = Decimal("99999.00")
PLANTED_BAD_PAYMENT_ORDER_ID = 777  # its (single) payment gets the bad amount
# Stale data: every _loaded_at is from order_date + a few hours, i.e. end of 2024 at the latest,
# so `dbt source freshness` warns (warn_after 1 day) and the recency test warns.

CENT = Decimal("0.01")

FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas",
    "Klara", "Lukas", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sven", "Tara",
    "Uwe", "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Amir", "Bea", "Carlos", "Dana",
    "Elif", "Finn", "Gina", "Hana", "Ivan", "Julia", "Kemal", "Lea", "Marco", "Nina",
]
LAST_NAMES = [
    "Adler", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen", "Petrov", "Quaresma", "Rossi",
    "Schmidt", "Tanaka", "Urban", "Vogel", "Weber", "Xu", "Yilmaz", "Zimmermann", "Berg",
    "Keller", "Lang", "Meyer",
]
COUNTRIES = [
    ("DE", "Germany", 30), ("AT", "Austria", 8), ("CH", "Switzerland", 7), ("FR", "France", 10),
    ("NL", "Netherlands", 8), ("BE", "Belgium", 5), ("IT", "Italy", 7), ("ES", "Spain", 7),
    ("PL", "Poland", 5), ("DK", "Denmark", 4), ("SE", "Sweden", 4), ("GB", "United Kingdom", 5),
]
CATEGORIES = {
    "Books": ["Novel", "Cookbook", "Atlas", "Comic", "Biography"],
    "Electronics": ["Headphones", "Charger", "Speaker", "Keyboard", "Webcam"],
    "Home": ["Lamp", "Mug", "Blanket", "Vase", "Clock"],
    "Toys": ["Puzzle", "Robot", "Kite", "Board Game", "Yo-Yo"],
    "Garden": ["Shovel", "Hose", "Planter", "Seeds Pack", "Gloves"],
    "Sports": ["Yoga Mat", "Dumbbell", "Football", "Water Bottle", "Jump Rope"],
}
PRICE_RANGE = {
    "Books": (8, 45), "Electronics": (15, 480), "Home": (6, 120),
    "Toys": (5, 90), "Garden": (4, 75), "Sports": (7, 150),
}
ADJECTIVES = ["Classic", "Deluxe", "Compact", "Eco"]
STATUSES = [("completed", 70), ("shipped", 12), ("placed", 6), ("returned", 8), ("return_pending", 4)]
PAYMENT_METHODS = [("credit_card", False), ("bank_transfer", True), ("coupon", False), ("gift_card", True)]


def money(x: Decimal | float) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def ts(d: datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S")


def rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def weighted(rng: random.Random, pairs):
    values = [p[0] for p in pairs]
    weights = [p[-1] for p in pairs]
    return rng.choices(values, weights=weights, k=1)[0]


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def build(rng: random.Random, planted: bool = True):
    # ---- reference data -------------------------------------------------------------------
    country_codes = [[code, name] for code, name, _ in COUNTRIES]
    payment_methods = [[m, "true" if cash else "false"] for m, cash in PAYMENT_METHODS]

    # ---- customers ------------------------------------------------------------------------
    customers = []
    signup = {}
    for cid in range(1, N_CUSTOMERS + 1):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        email = f"{first}.{last}{cid}@example.com".lower()
        style = rng.random()
        if style < 0.05:
            email = email.upper()  # cleaning: lower()
        elif style < 0.08:
            email = f"  {email} "  # cleaning: trim()
        if planted and cid in PLANTED_NULL_EMAIL_CUSTOMERS:
            email = None
        code = weighted(rng, [(c, w) for c, _, w in COUNTRIES])
        if rng.random() < 0.04:
            code = code.lower()  # cleaning: upper()
        sd = rand_date(rng, SIGNUP_FROM, SIGNUP_TO)
        signup[cid] = sd
        max_days = min(200, (ORDERS_TO - sd).days)
        updated = datetime.combine(sd, datetime.min.time()) + timedelta(
            days=rng.randint(0, max_days), seconds=rng.randint(0, 86399)
        )
        if planted and cid == PLANTED_FUTURE_UPDATED_AT_CUSTOMER:
            updated = PLANTED_FUTURE_UPDATED_AT
        customers.append([cid, first, last, email, code, sd.isoformat(), ts(updated)])

    # ---- products -------------------------------------------------------------------------
    products = []
    price = {}
    pid = 0
    for category, nouns in CATEGORIES.items():
        lo, hi = PRICE_RANGE[category]
        for noun in nouns:
            for adjective in rng.sample(ADJECTIVES, 2):
                pid += 1
                p = money(rng.randint(lo, hi) + 0.99)
                price[pid] = p
                products.append([pid, f"{adjective} {noun}", category, p])
    assert pid == N_PRODUCTS, pid

    # ---- orders ---------------------------------------------------------------------------
    drafts = []
    cids = list(range(1, N_CUSTOMERS + 1))
    # a minority of customers buys most: weight customers
    cweights = [rng.choice([1, 1, 1, 2, 3, 6]) for _ in cids]
    while len(drafts) < N_ORDERS:
        cid = rng.choices(cids, weights=cweights, k=1)[0]
        start = max(signup[cid], ORDERS_FROM)
        if start > ORDERS_TO:
            continue
        od = rand_date(rng, start, ORDERS_TO)
        drafts.append((od, rng.randint(0, 86399), cid))
    drafts.sort()
    orders = []
    order_rows = {}
    for oid, (od, secs, cid) in enumerate(drafts, start=1):
        age = (ORDERS_TO - od).days
        if age < 5:
            status = weighted(rng, [("placed", 50), ("shipped", 50)])
        elif age < 20:
            status = weighted(rng, [("shipped", 60), ("completed", 30), ("return_pending", 10)])
        else:
            status = weighted(rng, STATUSES)
        loaded = datetime.combine(od, datetime.min.time()) + timedelta(seconds=secs) + timedelta(
            hours=rng.randint(1, 30)
        )
        row = [oid, cid, od.isoformat(), status, ts(loaded)]
        orders.append(row)
        order_rows[oid] = row
    # planted: duplicated order_id -- an older version of the same order still in the raw table
    if planted:
        dup = list(order_rows[PLANTED_DUPLICATE_ORDER_ID])
        dup[3] = "placed"
        dup[4] = ts(datetime.strptime(dup[4], "%Y-%m-%d %H:%M:%S") - timedelta(days=1))
        orders.insert(orders.index(order_rows[PLANTED_DUPLICATE_ORDER_ID]), dup)

    # ---- order items ----------------------------------------------------------------------
    items = []
    order_total = {}
    iid = 0
    for oid in range(1, N_ORDERS + 1):
        n = weighted(rng, [(1, 25), (2, 30), (3, 25), (4, 12), (5, 8)])
        total = Decimal("0.00")
        for prod in rng.sample(range(1, N_PRODUCTS + 1), n):
            iid += 1
            qty = weighted(rng, [(1, 70), (2, 20), (3, 10)])
            unit = price[prod]
            if rng.random() < 0.05:
                unit = money(unit * Decimal("0.9"))  # 10 % promotion price
            items.append([iid, oid, prod, qty, unit])
            total += unit * qty
        if planted and oid == PLANTED_ORPHAN_ORDER_ID:
            iid += 1
            unit = money("19.99")
            items.append([iid, oid, PLANTED_ORPHAN_PRODUCT_ID, 1, unit])
            total += unit
        order_total[oid] = money(total)

    # ---- payments -------------------------------------------------------------------------
    payments = []
    pay_id = 0
    for oid in range(1, N_ORDERS + 1):
        total = order_total[oid]
        bad = planted and oid == PLANTED_BAD_PAYMENT_ORDER_ID
        if not bad and total > 20 and rng.random() < 0.06:
            # split payment: a coupon or gift card plus credit card for the rest
            method = rng.choice(["coupon", "gift_card"])
            first = money(rng.choice([5, 10, 15, 20])) if method == "coupon" else money(
                rng.randint(10, int(total) - 5)
            )
            pay_id += 1
            payments.append([pay_id, oid, method, first])
            pay_id += 1
            payments.append([pay_id, oid, "credit_card", money(total - first)])
        else:
            method = weighted(rng, [("credit_card", 65), ("bank_transfer", 25), ("gift_card", 10)])
            amount = PLANTED_BAD_PAYMENT_AMOUNT if bad else total
            pay_id += 1
            payments.append([pay_id, oid, method, amount])

    return {
        "country_codes": (["code", "name"], country_codes),
        "payment_methods": (["method", "is_cash_like"], payment_methods),
        "raw_customers": (
            ["customer_id", "first_name", "last_name", "email", "country_code", "signup_date", "updated_at"],
            customers,
        ),
        "raw_products": (["product_id", "name", "category", "unit_price"], products),
        "raw_orders": (["order_id", "customer_id", "order_date", "status", "_loaded_at"], orders),
        "raw_order_items": (["order_item_id", "order_id", "product_id", "quantity", "unit_price"], items),
        "raw_payments": (["payment_id", "order_id", "payment_method", "amount"], payments),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Write the seed CSVs of the pef_shop sample project.")
    parser.add_argument("out", nargs="?", help="output folder (default: ../seeds next to this script)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED}: the committed data)")
    parser.add_argument("--clean", action="store_true", help="leave the planted defects out")
    args = parser.parse_args(argv[1:])
    out = Path(args.out) if args.out else Path(__file__).resolve().parent.parent / "seeds"
    out.mkdir(parents=True, exist_ok=True)
    tables = build(random.Random(args.seed), planted=not args.clean)
    for name, (header, rows) in tables.items():
        write_csv(out / f"{name}.csv", header, rows)
        print(f"{name}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
