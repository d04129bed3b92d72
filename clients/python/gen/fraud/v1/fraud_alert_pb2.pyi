from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FraudAlert(_message.Message):
    __slots__ = ["alert_id", "amount_minor", "country", "created_at", "currency", "customer_id", "order_id", "rules", "score"]
    ALERT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    alert_id: str
    amount_minor: int
    country: str
    created_at: _timestamp_pb2.Timestamp
    currency: str
    customer_id: str
    order_id: str
    rules: _containers.RepeatedCompositeFieldContainer[RuleHit]
    score: int
    def __init__(self, alert_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., score: _Optional[int] = ..., rules: _Optional[_Iterable[_Union[RuleHit, _Mapping]]] = ..., country: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Rule(_message.Message):
    __slots__ = ["description", "enabled", "name", "params", "score"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    description: str
    enabled: bool
    name: str
    params: _containers.RepeatedScalarFieldContainer[str]
    score: int
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., score: _Optional[int] = ..., enabled: bool = ..., params: _Optional[_Iterable[str]] = ...) -> None: ...

class RuleHit(_message.Message):
    __slots__ = ["reason", "rule", "score"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    reason: str
    rule: str
    score: int
    def __init__(self, rule: _Optional[str] = ..., score: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...
