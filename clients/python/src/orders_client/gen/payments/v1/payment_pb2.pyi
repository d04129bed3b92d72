import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATUS_UNSPECIFIED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_AUTHORIZED: _ClassVar[PaymentStatus]
    PAYMENT_STATUS_DECLINED: _ClassVar[PaymentStatus]

class DeclineReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECLINE_REASON_UNSPECIFIED: _ClassVar[DeclineReason]
    DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS: _ClassVar[DeclineReason]
    DECLINE_REASON_CREDIT_LIMIT_EXCEEDED: _ClassVar[DeclineReason]
    DECLINE_REASON_PROCESSOR_DECLINED: _ClassVar[DeclineReason]
    DECLINE_REASON_CURRENCY_MISMATCH: _ClassVar[DeclineReason]
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus
PAYMENT_STATUS_AUTHORIZED: PaymentStatus
PAYMENT_STATUS_DECLINED: PaymentStatus
DECLINE_REASON_UNSPECIFIED: DeclineReason
DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS: DeclineReason
DECLINE_REASON_CREDIT_LIMIT_EXCEEDED: DeclineReason
DECLINE_REASON_PROCESSOR_DECLINED: DeclineReason
DECLINE_REASON_CURRENCY_MISMATCH: DeclineReason

class Payment(_message.Message):
    __slots__ = ("payment_id", "order_id", "customer_id", "status", "decline_reason", "detail", "amount_minor", "currency", "processed_at")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_AT_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    order_id: str
    customer_id: str
    status: PaymentStatus
    decline_reason: DeclineReason
    detail: str
    amount_minor: int
    currency: str
    processed_at: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., decline_reason: _Optional[_Union[DeclineReason, str]] = ..., detail: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., processed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
