import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FraudAlert(_message.Message):
    __slots__ = ("alert_id", "order_id", "customer_id", "score", "rules", "country", "amount_minor", "currency", "created_at")
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    order_id: str
    customer_id: str
    score: int
    rules: _containers.RepeatedCompositeFieldContainer[RuleHit]
    country: str
    amount_minor: int
    currency: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, alert_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., score: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[RuleHit, _Mapping]]] = ..., country: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RuleHit(_message.Message):
    __slots__ = ("rule", "score", "reason")
    RULE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rule: str
    score: int
    reason: str
    def __init__(self, rule: _Optional[str] = ..., score: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Rule(_message.Message):
    __slots__ = ("name", "description", "score", "enabled", "params")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    score: int
    enabled: bool
    params: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., score: _Optional[int] = ..., enabled: _Optional[bool] = ..., params: _Optional[_Iterable[str]] = ...) -> None: ...
