"""Settings shared by the environment tests and the end-to-end tests."""

# Fast alarms on the emulator: CloudWatch accepts 10 s periods, and LocalStack evaluates them.
ENV_TEST_VARS = {"alarm_period_seconds": 10}
