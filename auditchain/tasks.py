from celery import shared_task

from .chain import seal


@shared_task(ignore_result=True)
def seal_log() -> int:
    """Seal whatever is still pending (beat, every minute): the safety net of the seal that runs
    after each commit (docs/rules.md §24), should that one have failed or its process died."""
    return seal()
