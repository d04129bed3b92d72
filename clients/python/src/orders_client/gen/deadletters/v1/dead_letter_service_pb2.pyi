import datetime

from orders_client.gen.deadletters.v1 import dead_letter_pb2 as _dead_letter_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeadLetter(_message.Message):
    __slots__ = ("id", "source", "source_partition", "source_offset", "consumer", "error_class", "error_message", "failed_at", "key", "value_size", "value_dropped", "replay_count", "status", "resolution", "not_replayable")
    ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PARTITION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OFFSET_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    ERROR_CLASS_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    VALUE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    REPLAY_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    NOT_REPLAYABLE_FIELD_NUMBER: _ClassVar[int]
    id: str
    source: str
    source_partition: int
    source_offset: int
    consumer: str
    error_class: str
    error_message: str
    failed_at: _timestamp_pb2.Timestamp
    key: bytes
    value_size: int
    value_dropped: bool
    replay_count: int
    status: _dead_letter_pb2.DeadLetterStatus
    resolution: _dead_letter_pb2.DeadLetterResolution
    not_replayable: str
    def __init__(self, id: _Optional[str] = ..., source: _Optional[str] = ..., source_partition: _Optional[int] = ..., source_offset: _Optional[int] = ..., consumer: _Optional[str] = ..., error_class: _Optional[str] = ..., error_message: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., key: _Optional[bytes] = ..., value_size: _Optional[int] = ..., value_dropped: _Optional[bool] = ..., replay_count: _Optional[int] = ..., status: _Optional[_Union[_dead_letter_pb2.DeadLetterStatus, str]] = ..., resolution: _Optional[_Union[_dead_letter_pb2.DeadLetterResolution, _Mapping]] = ..., not_replayable: _Optional[str] = ...) -> None: ...

class DeadLetterFilter(_message.Message):
    __slots__ = ("topic", "consumer", "error_class", "status", "failed_after", "failed_before")
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    ERROR_CLASS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILED_AFTER_FIELD_NUMBER: _ClassVar[int]
    FAILED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    topic: str
    consumer: str
    error_class: str
    status: _dead_letter_pb2.DeadLetterStatus
    failed_after: _timestamp_pb2.Timestamp
    failed_before: _timestamp_pb2.Timestamp
    def __init__(self, topic: _Optional[str] = ..., consumer: _Optional[str] = ..., error_class: _Optional[str] = ..., status: _Optional[_Union[_dead_letter_pb2.DeadLetterStatus, str]] = ..., failed_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., failed_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDeadLettersRequest(_message.Message):
    __slots__ = ("filter", "page_size", "page_token")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    filter: DeadLetterFilter
    page_size: int
    page_token: str
    def __init__(self, filter: _Optional[_Union[DeadLetterFilter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDeadLettersResponse(_message.Message):
    __slots__ = ("dead_letters", "next_page_token")
    DEAD_LETTERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dead_letters: _containers.RepeatedCompositeFieldContainer[DeadLetter]
    next_page_token: str
    def __init__(self, dead_letters: _Optional[_Iterable[_Union[DeadLetter, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetDeadLetterRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class GetDeadLetterResponse(_message.Message):
    __slots__ = ("dead_letter", "headers", "value_type", "value", "decode_error", "raw_value")
    DEAD_LETTER_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DECODE_ERROR_FIELD_NUMBER: _ClassVar[int]
    RAW_VALUE_FIELD_NUMBER: _ClassVar[int]
    dead_letter: DeadLetter
    headers: _containers.RepeatedCompositeFieldContainer[Header]
    value_type: str
    value: _struct_pb2.Value
    decode_error: str
    raw_value: bytes
    def __init__(self, dead_letter: _Optional[_Union[DeadLetter, _Mapping]] = ..., headers: _Optional[_Iterable[_Union[Header, _Mapping]]] = ..., value_type: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ..., decode_error: _Optional[str] = ..., raw_value: _Optional[bytes] = ...) -> None: ...

class ReplayDeadLettersRequest(_message.Message):
    __slots__ = ("ids", "filter", "reason", "operator")
    IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    filter: DeadLetterFilter
    reason: str
    operator: str
    def __init__(self, ids: _Optional[_Iterable[str]] = ..., filter: _Optional[_Union[DeadLetterFilter, _Mapping]] = ..., reason: _Optional[str] = ..., operator: _Optional[str] = ...) -> None: ...

class Outcome(_message.Message):
    __slots__ = ("id", "status", "detail")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: _dead_letter_pb2.DeadLetterStatus
    detail: str
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[_dead_letter_pb2.DeadLetterStatus, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class ReplayDeadLettersResponse(_message.Message):
    __slots__ = ("replayed", "skipped", "more")
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    replayed: _containers.RepeatedCompositeFieldContainer[Outcome]
    skipped: _containers.RepeatedCompositeFieldContainer[Outcome]
    more: bool
    def __init__(self, replayed: _Optional[_Iterable[_Union[Outcome, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[Outcome, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class DiscardDeadLettersRequest(_message.Message):
    __slots__ = ("ids", "filter", "reason", "operator")
    IDS_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[str]
    filter: DeadLetterFilter
    reason: str
    operator: str
    def __init__(self, ids: _Optional[_Iterable[str]] = ..., filter: _Optional[_Union[DeadLetterFilter, _Mapping]] = ..., reason: _Optional[str] = ..., operator: _Optional[str] = ...) -> None: ...

class DiscardDeadLettersResponse(_message.Message):
    __slots__ = ("discarded", "skipped", "more")
    DISCARDED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    discarded: _containers.RepeatedCompositeFieldContainer[Outcome]
    skipped: _containers.RepeatedCompositeFieldContainer[Outcome]
    more: bool
    def __init__(self, discarded: _Optional[_Iterable[_Union[Outcome, _Mapping]]] = ..., skipped: _Optional[_Iterable[_Union[Outcome, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...
