class OpsError(Exception):
    """An operation (serve, backup, restore) cannot go on; the message says why, in Chinese."""
