"""A national-scale data set for benchmarks (`manage.py generate_load`, issue 16): `build.py`
says what is made and by which rules, `writer.py` how rows reach the tables fast."""
