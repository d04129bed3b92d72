import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeadLetterStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEAD_LETTER_STATUS_UNSPECIFIED: _ClassVar[DeadLetterStatus]
    DEAD_LETTER_STATUS_WAITING: _ClassVar[DeadLetterStatus]
    DEAD_LETTER_STATUS_REPLAYED: _ClassVar[DeadLetterStatus]
    DEAD_LETTER_STATUS_DISCARDED: _ClassVar[DeadLetterStatus]
    DEAD_LETTER_STATUS_PARKED: _ClassVar[DeadLetterStatus]
DEAD_LETTER_STATUS_UNSPECIFIED: DeadLetterStatus
DEAD_LETTER_STATUS_WAITING: DeadLetterStatus
DEAD_LETTER_STATUS_REPLAYED: DeadLetterStatus
DEAD_LETTER_STATUS_DISCARDED: DeadLetterStatus
DEAD_LETTER_STATUS_PARKED: DeadLetterStatus

class DeadLetterResolution(_message.Message):
    __slots__ = ("id", "status", "by", "at", "reason", "replayed_to_topic", "replayed_to_partition", "replayed_to_offset")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_TO_TOPIC_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_TO_PARTITION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_TO_OFFSET_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: DeadLetterStatus
    by: str
    at: _timestamp_pb2.Timestamp
    reason: str
    replayed_to_topic: str
    replayed_to_partition: int
    replayed_to_offset: int
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[DeadLetterStatus, str]] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., replayed_to_topic: _Optional[str] = ..., replayed_to_partition: _Optional[int] = ..., replayed_to_offset: _Optional[int] = ...) -> None: ...
