"""Options and fixtures shared by every test folder."""


def pytest_addoption(parser):
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        default=False,
        help="browser tests: write the screenshots taken as the new baselines (tests/browser/baselines/) "
        "where a baseline is missing or differs, instead of failing",
    )
