from shufang.web.tests.fixtures import fast_password_hashing, net  # noqa: F401
