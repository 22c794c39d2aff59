"""Root test setup: doctests in course_utils and all tests draw on a headless backend."""

import matplotlib

matplotlib.use("Agg")
