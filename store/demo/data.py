"""The demo's data: the people, contracts, workspaces, credentials and flows of a realistic
integration platform, and the payloads its traffic sends (``timeline`` plays them into a
store, ``traffic`` sends more while the demo runs).

Every secret is an obviously fake demo value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from store.policy import WORK_TIME

M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)

# -- people -------------------------------------------------------------------
SUPPORT = ("priya.raman@flowdeck.example", "Priya Raman")
PEOPLE = {
    "maria": ("maria.santos@northwind.example", "Maria Santos"),
    "tom": ("tom.becker@northwind.example", "Tom Becker"),
    "aiko": ("aiko.tanaka@northwind.example", "Aiko Tanaka"),
    "jonas": ("jonas.berg@northwind.example", "Jonas Berg"),
    "lena": ("lena.fischer@northwind.example", "Lena Fischer"),
    "grace": ("grace.okafor@globex.example", "Grace Okafor"),
    "diego": ("diego.alvarez@globex.example", "Diego Alvarez"),
    "wei": ("wei.chen@globex.example", "Wei Chen"),
    "sofia": ("sofia.rossi@globex.example", "Sofia Rossi"),
}
OWNER = "maria"

NW, GX = "Northwind Traders", "Globex Logistics"
# contract -> (owner, {invitee: role})
CONTRACTS = {
    NW: ("maria", {"tom": "admin", "aiko": "member", "jonas": "member", "lena": "member"}),
    GX: ("grace", {"diego": "admin", "wei": "member", "sofia": "member", "maria": "admin"}),
}
# workspace path -> (creator, who becomes owner; {member: role})
WORKSPACES = {
    f"{NW}/Development": ("maria", {"aiko": "admin", "jonas": "integrator"}),
    f"{NW}/Staging": ("tom", {"maria": "admin", "jonas": "integrator", "lena": "guest"}),
    f"{NW}/Production": ("maria", {"tom": "admin", "jonas": "integrator", "lena": "guest"}),
    f"{NW}/Partner Sandbox": ("aiko", {"jonas": "integrator", "maria": "guest"}),
    f"{NW}/Legacy Migration": ("jonas", {"tom": "guest"}),
    f"{GX}/Staging": ("diego", {"wei": "integrator", "maria": "integrator"}),
    f"{GX}/Production": ("grace", {"diego": "admin", "wei": "integrator", "sofia": "guest",
                                   "maria": "guest"}),
    f"{GX}/Warehouse EDI": ("wei", {"maria": "admin", "sofia": "guest"}),
}


def _token(name: str) -> dict[str, str]:
    return {"token": f"demo-token-{name}"}


def _basic(user: str) -> dict[str, str]:
    return {"username": f"demo-{user}", "password": "demo-password-not-real"}


# (when, who, path, secrets): same names in staging and production, so copies map by name
CREDENTIALS = [
    (-2 * D - 22 * H, "tom", f"{NW}/Staging/ERP API", _token("erp-staging-1234")),
    (-2 * D - 22 * H, "tom", f"{NW}/Staging/Shop API", _basic("shop-staging")),
    (-2 * D - 22 * H, "maria", f"{NW}/Production/ERP API", _token("erp-prod-5678")),
    (-2 * D - 22 * H, "maria", f"{NW}/Production/Shop API", _basic("shop-prod")),
    (-2 * D - 20 * H, "maria", f"{NW}/Development/Mock ERP", _token("mock-erp-0000")),
    (-2 * D - 20 * H, "aiko", f"{NW}/Partner Sandbox/Partner Portal", _basic("partner")),
    (-2 * D - 22 * H, "diego", f"{GX}/Staging/Carrier API", _token("carrier-staging-4321")),
    (-2 * D - 22 * H, "diego", f"{GX}/Staging/TMS", _basic("tms-staging")),
    (-2 * D - 21 * H, "grace", f"{GX}/Production/Carrier API", _token("carrier-prod-8765")),
    (-2 * D - 21 * H, "grace", f"{GX}/Production/TMS", _basic("tms-prod")),
    (-2 * D - 20 * H, "wei", f"{GX}/Warehouse EDI/EDI Gateway", _token("edi-2468")),
]

# -- steps ----------------------------------------------------------------------
TARGET = "http://127.0.0.1:8471"
Step = tuple[str, str | None, dict[str, str]]


def webhook() -> Step:
    return ("webhook", None, {})


def timer(cron: str) -> Step:
    return ("timer", None, {"cron": cron})


def transform(expression: str) -> Step:
    return ("transform", None, {"expression": expression})


def http(credential: str | None, route: str | None, method: str = "POST") -> Step:
    settings = {"url": f"{TARGET}/{route}", "method": method} if route else {}
    return ("http", credential, settings)


def log() -> Step:
    return ("log", None, {})


EXPR = {
    "order": '{"id": order.id, "total": $sum(order.lines.price)}',
    "shipment": '{"shipment": shipment.id, "order": shipment.order, '
                '"status": $uppercase(shipment.status)}',
    "stock": '{"sku": sku, "available": onHand - reserved}',
    "invoice": '{"invoice": invoice.number, "amount": invoice.amount, "currency": invoice.currency}',
    "customer": '{"externalId": customer.id, "name": customer.name, '
                '"email": $lowercase(customer.email)}',
    "tracking": '{"tracking": tracking.number, "status": tracking.events[-1].status}',
    "telemetry": '{"truck": truck, "speed": $round(speed, 1), "at": ts}',
    "customs": '{"declaration": shipment.id, "hsCodes": shipment.items.hs, '
               '"value": $sum(shipment.items.value)}',
    "asn": '{"asn": asn.number, "lines": $count(asn.lines)}',
}


def payload(topic: str, i: int) -> dict[str, Any]:
    """A plausible message for a flow about ``topic``; the same ``i`` gives the same message."""
    skus = ("NW-CHAI-24", "NW-CHANG-12", "NW-ANISE-6", "NW-CAJUN-48", "NW-GUMBO-36")
    carriers = ("DHL", "UPS", "DB Schenker", "Maersk")
    if topic in ("order", "invoice", "shipment"):
        lines: list[dict[str, Any]] = [{"sku": skus[(i + k) % 5], "qty": 1 + (i * 3 + k) % 4,
                  "price": round(4.5 + ((i * 7 + k * 3) % 40) * 1.25, 2)} for k in range(1 + i % 3)]
        order = {"id": f"SO-{10400 + i}", "customer": f"C-{2200 + (i * 37) % 500}", "lines": lines}
        if topic == "invoice":
            return {"invoice": {"number": f"INV-2026-{5100 + i}", "order": order["id"],
                                "amount": round(sum(x["price"] * x["qty"] for x in lines), 2),
                                "currency": "EUR"}}
        if topic == "shipment":
            return {"shipment": {"id": f"SHP-{78000 + i}", "order": order["id"],
                                 "carrier": carriers[i % 4], "status": "dispatched"}}
        return {"order": order}
    if topic == "stock":
        return {"sku": skus[i % 5], "onHand": 40 + (i * 13) % 200, "reserved": (i * 7) % 30}
    if topic == "customer":
        first = ("Anna", "Ben", "Carla", "Dev", "Elif", "Femi")[i % 6]
        return {"customer": {"id": f"C-{2200 + i}", "name": f"{first} Example {i}",
                             "email": f"{first.upper()}.{i}@Example.org"}}
    if topic in ("tracking", "customs"):
        if topic == "customs":
            return {"shipment": {"id": f"GX-{40100 + i}", "items": [
                {"hs": "0902.30", "value": 120 + i * 5}, {"hs": "2103.90", "value": 80 + i}]}}
        return {"tracking": {"number": f"1Z{990000 + i * 17}", "events": [
            {"status": "picked_up"}, {"status": ("in_transit", "out_for_delivery")[i % 2]}]}}
    if topic == "telemetry":
        return {"truck": f"GX-TRK-{100 + i % 12}", "speed": 62.5 + (i * 7) % 25,
                "ts": f"2026-01-01T00:{i % 60:02d}:00Z"}
    if topic == "asn":
        return {"asn": {"number": f"ASN-{3300 + i}", "lines": [{"sku": skus[i % 5], "qty": 24}]}}
    return {"event": topic, "seq": i}


# -- flows ------------------------------------------------------------------------
#: A flow's life is a list of (offset from now, op, count, who); auto-stops are the store's.
Life = tuple[timedelta, str, int, str | None]


def start(at: timedelta, who: str | None = None) -> Life:
    return (at, "start", 0, who)


def stop(at: timedelta, who: str | None = None) -> Life:
    return (at, "stop", 0, who)


def restart(at: timedelta, who: str | None = None) -> Life:
    return (at, "restart", 0, who)


def send(at: timedelta, count: int, who: str | None = None) -> Life:
    return (at, "send", count, who)


def realtime_switch(at: timedelta, who: str | None = None) -> Life:
    return (at, "realtime", 0, who)


def left(minutes: int) -> timedelta:
    """The start instant that leaves ``minutes`` of work time at now."""
    return -WORK_TIME + minutes * M


@dataclass(frozen=True)
class FlowPlan:
    path: str
    by: str
    created: timedelta
    steps: tuple[Step, ...] = ()
    topic: str = "event"
    life: tuple[Life, ...] = ()
    realtime: bool = False
    copy_of: str | None = None  # workspace path the flow is copied from


def flows() -> list[FlowPlan]:
    dev, stg, prd = f"{NW}/Development", f"{NW}/Staging", f"{NW}/Production"
    sbx, mig = f"{NW}/Partner Sandbox", f"{NW}/Legacy Migration"
    gstg, gprd, edi = f"{GX}/Staging", f"{GX}/Production", f"{GX}/Warehouse EDI"
    order_sync = (webhook(), transform(EXPR["order"]), http("ERP API", "orders"))
    return [
        # Northwind / Development
        FlowPlan(f"{dev}/Order Intake Prototype", "maria", -2 * D - 20 * H,
                 (webhook(), transform(EXPR["order"]), log()), "order"),
        FlowPlan(f"{dev}/Price Feed Experiment", "jonas", -D - 4 * H,
                 (timer("*/15 * * * *"), http("Mock ERP", "prices", "GET"), log()), "stock",
                 (start(-26 * H), send(-25 * H, 7), send(-22 * H, 5))),
        FlowPlan(f"{dev}/JSONata Playground", "jonas", -2 * D - 18 * H,
                 (webhook(), transform(EXPR["order"])), "order",
                 (start(-2 * D - 17 * H), send(-2 * D - 16 * H, 3),
                  start(left(4)), send(-7 * H, 4), send(-30 * M, 2))),
        FlowPlan(f"{dev}/Webhook Echo", "aiko", -2 * D, (webhook(), log()), "event",
                 (start(-D - 6 * H), send(-D - 5 * H, 3), stop(-D - 2 * H))),
        FlowPlan(f"{dev}/Inventory Sync Draft", "jonas", -5 * H,
                 (timer("*/5 * * * *"), transform(EXPR["stock"]), http("Mock ERP", None)), "stock"),
        # Northwind / Staging
        FlowPlan(f"{stg}/Order Sync", "jonas", -2 * D - 21 * H, order_sync, "order",
                 (start(-2 * D - 20 * H), send(-2 * D - 19 * H, 15),
                  start(-D - 20 * H), send(-D - 18 * H, 20),
                  start(left(9)), send(-7 * H, 20), send(-H, 15))),
        FlowPlan(f"{stg}/Shipment Notifications", "jonas", -2 * D - 21 * H,
                 (webhook(), transform(EXPR["shipment"]), http("Shop API", "shipments"), log()),
                 "shipment", (start(-8 * H - 30 * M), send(-8 * H, 6), restart(left(14)),
                              send(-6 * H, 12), send(-20 * M, 8)), realtime=True),
        FlowPlan(f"{stg}/Inventory Sync", "tom", -2 * D - 21 * H,
                 (timer("*/5 * * * *"), http("ERP API", "inventory", "GET"),
                  transform(EXPR["stock"]), http("Shop API", "stock", "PUT")), "stock",
                 (start(left(40)), send(-7 * H, 10), send(-2 * H, 8))),
        FlowPlan(f"{stg}/Invoice Export", "tom", -2 * D - 10 * H,
                 (timer("0 * * * *"), transform(EXPR["invoice"]), http("ERP API", "invoices")),
                 "invoice", (start(-9 * H), send(-8 * H - 30 * M, 15), send(-3 * H, 12))),
        FlowPlan(f"{stg}/Customer Upsert", "jonas", -D - 22 * H,
                 (webhook(), transform(EXPR["customer"]), http("ERP API", "customers", "PUT")),
                 "customer", (start(-20 * H), send(-19 * H, 10), start(-2 * H),
                              send(-90 * M, 25), send(-10 * M, 20))),
        FlowPlan(f"{stg}/Returns Processing", "jonas", -D - 8 * H,
                 (webhook(), transform(EXPR["order"]), log()), "order",
                 (start(-6 * H), send(-5 * H, 5), stop(-3 * H))),
        FlowPlan(f"{stg}/Price Update Draft", "tom", -4 * H,
                 (webhook(), transform(EXPR["stock"]), http("Shop API", "prices", "PATCH")), "stock"),
        # Northwind / Production (Full since the first hour)
        FlowPlan(f"{prd}/Order Sync", "jonas", -2 * D - 6 * H, topic="order", copy_of=stg,
                 life=(start(-2 * D - 5 * H, "maria"), send(-2 * D, 20), send(-D, 25),
                       send(-2 * H, 15))),
        FlowPlan(f"{prd}/Shipment Notifications", "jonas", -2 * D - 6 * H, topic="shipment",
                 copy_of=stg, life=(start(-2 * D - 4 * H, "maria"), send(-D - 12 * H, 10),
                                    send(-3 * H, 15))),
        FlowPlan(f"{prd}/Inventory Sync", "jonas", -D - 21 * H, topic="stock", copy_of=stg,
                 life=(start(-D - 20 * H, "tom"), send(-D, 14), send(-H, 16))),
        FlowPlan(f"{prd}/Invoice Export", "jonas", -D - 6 * H, topic="invoice", copy_of=stg,
                 life=(start(-D - 5 * H, "tom"), send(-20 * H, 9), send(-8 * H, 5),
                       stop(-5 * H, "tom"))),
        FlowPlan(f"{prd}/Nightly Ledger Export", "maria", -2 * D - 12 * H,
                 (timer("0 2 * * *"), transform(EXPR["invoice"]), http("ERP API", "ledger")),
                 "invoice", (start(-2 * D - 11 * H), send(-D - 22 * H, 4), send(-22 * H, 4))),
        FlowPlan(f"{prd}/Legacy FTP Bridge", "tom", -3 * D + 2 * H, (webhook(), log()), "event",
                 (start(-3 * D + 3 * H), send(-2 * D - 20 * H, 2), stop(-2 * D))),
        # Northwind / Partner Sandbox
        FlowPlan(f"{sbx}/Supplier Catalog Import", "aiko", -2 * D,
                 (webhook(), transform(EXPR["stock"]), http("Partner Portal", "catalog", "PUT")),
                 "stock", (start(-3 * H), send(-2 * H, 12), send(-15 * M, 10))),
        FlowPlan(f"{sbx}/Partner Order Relay", "jonas", -D - 20 * H,
                 (webhook(), http("Partner Portal", "partner-orders"), log()), "order",
                 (start(-22 * H), send(-21 * H, 9), send(-16 * H, 7)), realtime=True),
        FlowPlan(f"{sbx}/EDI Mapping Test", "aiko", -D - 2 * H,
                 (webhook(), transform(EXPR["asn"])), "asn"),
        # Northwind / Legacy Migration
        FlowPlan(f"{mig}/Customer Backfill", "jonas", -2 * D,
                 (timer("*/10 * * * *"), transform(EXPR["customer"]), log()), "customer",
                 (start(-40 * H), send(-39 * H, 30), send(-35 * H, 20))),
        FlowPlan(f"{mig}/Address Cleanup", "jonas", -D,
                 (webhook(), transform(EXPR["customer"]), log()), "customer",
                 (start(-5 * H - 30 * M), send(-5 * H, 8), send(-H, 4))),
        # Globex / Staging
        FlowPlan(f"{gstg}/Shipment Tracking", "wei", -2 * D - 21 * H,
                 (webhook(), transform(EXPR["tracking"]), http("Carrier API", "tracking")),
                 "tracking", (start(-6 * H - 30 * M), send(-6 * H, 18), send(-30 * M, 12)),
                 realtime=True),
        FlowPlan(f"{gstg}/Carrier Rate Quotes", "wei", -2 * D,
                 (timer("*/5 * * * *"), http("Carrier API", "rates", "GET"),
                  transform(EXPR["shipment"]), log()), "shipment",
                 (start(-12 * H), send(-11 * H, 20), send(-6 * H, 13))),
        FlowPlan(f"{gstg}/Proof of Delivery", "diego", -D - 12 * H,
                 (webhook(), transform(EXPR["tracking"]), http("TMS", "pod")), "tracking",
                 (start(-10 * H), send(-9 * H, 6), stop(-6 * H))),
        # Globex / Production (Full once support approves its request, two days ago)
        FlowPlan(f"{gprd}/Shipment Tracking", "wei", -2 * D - 6 * H, topic="tracking",
                 copy_of=gstg, life=(start(-2 * D - 5 * H), send(-D - 20 * H, 30),
                                     send(-D, 25), send(-2 * H, 25))),
        FlowPlan(f"{gprd}/Customs Declarations", "diego", -D - 8 * H,
                 (webhook(), transform(EXPR["customs"]), http("TMS", "customs")), "customs",
                 (start(-D - 6 * H), send(-D, 20), send(-4 * H, 20))),
        FlowPlan(f"{gprd}/Fleet Telemetry", "wei", -D,
                 (webhook(), transform(EXPR["telemetry"]), log()), "telemetry",
                 (realtime_switch(-D + 10 * M), start(-20 * H), send(-18 * H, 15),
                  send(-H, 20))),
        FlowPlan(f"{gprd}/Carrier Rate Quotes", "wei", -3 * H, topic="shipment", copy_of=gstg),
        # Globex / Warehouse EDI
        FlowPlan(f"{edi}/ASN Inbound", "wei", -2 * D,
                 (webhook(), transform(EXPR["asn"]), http("EDI Gateway", "asn")), "asn",
                 (start(-H), send(-45 * M, 14))),
        FlowPlan(f"{edi}/Pick List Export", "wei", -D,
                 (timer("0 */2 * * *"), transform(EXPR["order"]), http("EDI Gateway", "picklists")),
                 "order", (start(-10 * H), send(-9 * H, 11), send(-4 * H, 10))),
    ]


