"""The ``xinfang`` command: Django's management commands under the product's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from django.core.management import execute_from_command_line

    from xinfang.core import startup
    from xinfang.core.keyring import DataKeyError

    if sys.argv[1:2] and sys.argv[1] in startup.QUICK_COMMANDS:
        startup.quick = True
    try:
        execute_from_command_line(["xinfang", *sys.argv[1:]])
    except DataKeyError as exc:  # a missing, malformed or wrong data key: the message, no traceback
        sys.stderr.write(f"{exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
