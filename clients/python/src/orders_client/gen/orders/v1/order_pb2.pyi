import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_SOURCE_UNSPECIFIED: _ClassVar[OrderSource]
    ORDER_SOURCE_API: _ClassVar[OrderSource]
    ORDER_SOURCE_SYNTHETIC: _ClassVar[OrderSource]
ORDER_SOURCE_UNSPECIFIED: OrderSource
ORDER_SOURCE_API: OrderSource
ORDER_SOURCE_SYNTHETIC: OrderSource

class Order(_message.Message):
    __slots__ = ("order_id", "customer_id", "country", "currency", "items", "amount_minor", "created_at", "source")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    customer_id: str
    country: str
    currency: str
    items: _containers.RepeatedCompositeFieldContainer[LineItem]
    amount_minor: int
    created_at: _timestamp_pb2.Timestamp
    source: OrderSource
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., country: _Optional[str] = ..., currency: _Optional[str] = ..., items: _Optional[_Iterable[_Union[LineItem, _Mapping]]] = ..., amount_minor: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[OrderSource, str]] = ...) -> None: ...

class LineItem(_message.Message):
    __slots__ = ("sku", "name", "quantity", "unit_price_minor")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    quantity: int
    unit_price_minor: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_minor: _Optional[int] = ...) -> None: ...
