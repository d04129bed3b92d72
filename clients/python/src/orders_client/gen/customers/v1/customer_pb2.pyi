import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RiskTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RISK_TIER_UNSPECIFIED: _ClassVar[RiskTier]
    RISK_TIER_LOW: _ClassVar[RiskTier]
    RISK_TIER_MEDIUM: _ClassVar[RiskTier]
    RISK_TIER_HIGH: _ClassVar[RiskTier]
RISK_TIER_UNSPECIFIED: RiskTier
RISK_TIER_LOW: RiskTier
RISK_TIER_MEDIUM: RiskTier
RISK_TIER_HIGH: RiskTier

class Customer(_message.Message):
    __slots__ = ("customer_id", "name", "email", "country", "risk_tier", "credit_limit_minor", "currency", "updated_at")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    RISK_TIER_FIELD_NUMBER: _ClassVar[int]
    CREDIT_LIMIT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    name: str
    email: str
    country: str
    risk_tier: RiskTier
    credit_limit_minor: int
    currency: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, customer_id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., country: _Optional[str] = ..., risk_tier: _Optional[_Union[RiskTier, str]] = ..., credit_limit_minor: _Optional[int] = ..., currency: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
