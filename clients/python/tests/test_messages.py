"""Round trips of the generated messages: binary, JSON (the names the
gateway and Connect's JSON use) and pickle."""

from __future__ import annotations

import pickle

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from orders_client.gen.orders.v1 import order_pb2, order_service_pb2
from orders_client.gen.payments.v1 import payment_pb2


def sample_order() -> order_pb2.Order:
    return order_pb2.Order(
        order_id="ord-1",
        customer_id="cus-0001",
        country="DE",
        currency="EUR",
        items=[order_pb2.LineItem(sku="SKU-1001", name="Mechanical keyboard", quantity=2, unit_price_minor=2499)],
        amount_minor=4998,
        created_at=Timestamp(seconds=1_700_000_000, nanos=5),
        source=order_pb2.ORDER_SOURCE_API,
    )


def test_binary_round_trip() -> None:
    order = sample_order()
    data = order.SerializeToString(deterministic=True)
    back = order_pb2.Order.FromString(data)
    assert back == order
    assert back.items[0].unit_price_minor == 2499
    assert back.created_at.ToNanoseconds() == 1_700_000_000_000_000_005


def test_json_round_trip_uses_proto_json_names() -> None:
    view = order_service_pb2.OrderView(
        order=sample_order(), status=order_service_pb2.ORDER_STATUS_DECLINED, decline_reason="credit limit"
    )
    doc = json_format.MessageToDict(view)
    assert doc["order"]["orderId"] == "ord-1"
    assert doc["order"]["amountMinor"] == "4998"  # int64 as a string
    assert doc["status"] == "ORDER_STATUS_DECLINED"
    assert doc["order"]["createdAt"] == "2023-11-14T22:13:20.000000005Z"
    assert json_format.ParseDict(doc, order_service_pb2.OrderView()) == view
    # The field names of the .proto are accepted too.
    assert json_format.Parse('{"order_id": "ord-2"}', order_pb2.Order()).order_id == "ord-2"


def test_enums() -> None:
    assert order_service_pb2.OrderStatus.Name(order_service_pb2.ORDER_STATUS_PAID) == "ORDER_STATUS_PAID"
    assert payment_pb2.DeclineReason.Value("DECLINE_REASON_CREDIT_LIMIT_EXCEEDED") == 2
    assert order_service_pb2.OrderView().status == order_service_pb2.ORDER_STATUS_UNSPECIFIED


def test_pickle_round_trip() -> None:
    order = sample_order()
    assert type(order).__module__ == "orders_client.gen.orders.v1.order_pb2"
    assert pickle.loads(pickle.dumps(order)) == order


def test_unknown_fields_survive() -> None:
    # A newer server may send fields this client does not know: they are kept.
    newer = order_pb2.LineItem(sku="SKU-1").SerializeToString() + b"\xa2\x06\x03new"  # field 100, "new"
    item = order_pb2.LineItem.FromString(newer)
    assert item.sku == "SKU-1"
    assert item.SerializeToString() == newer
