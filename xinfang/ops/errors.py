from xinfang.core.errors import DomainError


class OpsError(DomainError):
    """An operation (serve, backup, restore) cannot go on; the message says why, in Chinese."""
