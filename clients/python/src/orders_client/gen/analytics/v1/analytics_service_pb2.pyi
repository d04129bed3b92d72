from orders_client.gen.analytics.v1 import country_stats_pb2 as _country_stats_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCountryStatsRequest(_message.Message):
    __slots__ = ("country",)
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    country: str
    def __init__(self, country: _Optional[str] = ...) -> None: ...

class GetCountryStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: _country_stats_pb2.CountryStats
    def __init__(self, stats: _Optional[_Union[_country_stats_pb2.CountryStats, _Mapping]] = ...) -> None: ...

class ListCountryStatsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCountryStatsResponse(_message.Message):
    __slots__ = ("stats", "next_page_token")
    STATS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stats: _containers.RepeatedCompositeFieldContainer[_country_stats_pb2.CountryStats]
    next_page_token: str
    def __init__(self, stats: _Optional[_Iterable[_Union[_country_stats_pb2.CountryStats, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchCountryStatsRequest(_message.Message):
    __slots__ = ("countries",)
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    countries: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, countries: _Optional[_Iterable[str]] = ...) -> None: ...

class WatchCountryStatsResponse(_message.Message):
    __slots__ = ("stats",)
    STATS_FIELD_NUMBER: _ClassVar[int]
    stats: _country_stats_pb2.CountryStats
    def __init__(self, stats: _Optional[_Union[_country_stats_pb2.CountryStats, _Mapping]] = ...) -> None: ...
