"""`make bench`: o2c's figures beside baselines measured in the same run on the same machine.

Run as `python -m bench` from the repository root (`make bench`). BENCH_SCALE=smoke|small|full
sets the sizes, BENCH_PROFILE=1 samples the server with py-spy during the unary run, BENCH_OUT
names the directory of results.json and the chart (var/bench by default)."""
