from shufang.acquisitions.tests.conftest import acq  # noqa: F401
from shufang.web.tests.fixtures import fast_password_hashing  # noqa: F401
