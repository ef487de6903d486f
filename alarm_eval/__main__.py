import sys

from alarm_eval.cli import main

sys.exit(main())
