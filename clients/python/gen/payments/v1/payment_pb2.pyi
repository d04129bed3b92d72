from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DECLINE_REASON_AMOUNT_OUT_OF_BOUNDS: DeclineReason
DECLINE_REASON_CREDIT_LIMIT_EXCEEDED: DeclineReason
DECLINE_REASON_CURRENCY_MISMATCH: DeclineReason
DECLINE_REASON_PROCESSOR_DECLINED: DeclineReason
DECLINE_REASON_UNSPECIFIED: DeclineReason
DESCRIPTOR: _descriptor.FileDescriptor
PAYMENT_STATUS_AUTHORIZED: PaymentStatus
PAYMENT_STATUS_DECLINED: PaymentStatus
PAYMENT_STATUS_UNSPECIFIED: PaymentStatus

class Payment(_message.Message):
    __slots__ = ["amount_minor", "currency", "customer_id", "decline_reason", "detail", "order_id", "payment_id", "processed_at", "status"]
    AMOUNT_MINOR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DECLINE_REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    amount_minor: int
    currency: str
    customer_id: str
    decline_reason: DeclineReason
    detail: str
    order_id: str
    payment_id: str
    processed_at: _timestamp_pb2.Timestamp
    status: PaymentStatus
    def __init__(self, payment_id: _Optional[str] = ..., order_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., status: _Optional[_Union[PaymentStatus, str]] = ..., decline_reason: _Optional[_Union[DeclineReason, str]] = ..., detail: _Optional[str] = ..., amount_minor: _Optional[int] = ..., currency: _Optional[str] = ..., processed_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class DeclineReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
