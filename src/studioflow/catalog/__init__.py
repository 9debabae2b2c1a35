"""The catalog: one command over thousands of songs on Dask, in a resumable job folder (``run.run_batch``)."""
