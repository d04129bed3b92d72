from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ORDER_SOURCE_API: OrderSource
ORDER_SOURCE_SYNTHETIC: OrderSource
ORDER_SOURCE_UNSPECIFIED: OrderSource

class LineItem(_message.Message):
    __slots__ = ["name", "quantity", "sku", "unit_price_minor"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    quantity: int
    sku: str
    unit_price_minor: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_price_minor: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ["amount_minor", "country", "created_at", "currency", "customer_id", "items", "order_id", "source"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    country: str
    created_at: _timestamp_pb2.Timestamp
    currency: str
    customer_id: str
    items: _containers.RepeatedCompositeFieldContainer[LineItem]
    order_id: str
    source: OrderSource
    def __init__(self, order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., country: _Optional[str] = ..., currency: _Optional[str] = ..., items: _Optional[_Iterable[_Union[LineItem, _Mapping]]] = ..., amount_minor: _Optional[int] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[_Union[OrderSource, str]] = ...) -> None: ...

class OrderSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
