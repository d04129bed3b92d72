import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CountryStats(_message.Message):
    __slots__ = ("country", "order_count", "totals", "updated_at")
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    country: str
    order_count: int
    totals: _containers.RepeatedCompositeFieldContainer[CurrencyTotal]
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, country: _Optional[str] = ..., order_count: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[CurrencyTotal, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CurrencyTotal(_message.Message):
    __slots__ = ("currency", "order_count", "amount_minor", "amount_saturated")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_SATURATED_FIELD_NUMBER: _ClassVar[int]
    currency: str
    order_count: int
    amount_minor: int
    amount_saturated: bool
    def __init__(self, currency: _Optional[str] = ..., order_count: _Optional[int] = ..., amount_minor: _Optional[int] = ..., amount_saturated: _Optional[bool] = ...) -> None: ...
