"""Demo credentials, printed by `shufang demo` and refused by `check --deploy`."""

DEMO_PASSWORD = "shufang-demo"
DEMO_READER_PIN = "123456"
