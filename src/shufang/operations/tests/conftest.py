from shufang.operations.tests.fixtures import fast_password_hashing, lj  # noqa: F401
