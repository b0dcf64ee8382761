"""The bench's SMS backend: every message dropped (a bench never texts anyone)."""

from common.notifications import SmsMessage


class NullSmsBackend:
    def send(self, messages: list[SmsMessage]) -> int:
        return len(messages)
