from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CountryStats(_message.Message):
    __slots__ = ["country", "order_count", "totals", "updated_at"]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    country: str
    order_count: int
    totals: _containers.RepeatedCompositeFieldContainer[CurrencyTotal]
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, country: _Optional[str] = ..., order_count: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[CurrencyTotal, _Mapping]]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CurrencyTotal(_message.Message):
    __slots__ = ["amount_minor", "amount_saturated", "currency", "order_count"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_SATURATED_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    amount_saturated: bool
    currency: str
    order_count: int
    def __init__(self, currency: _Optional[str] = ..., order_count: _Optional[int] = ..., amount_minor: _Optional[int] = ..., amount_saturated: bool = ...) -> None: ...
