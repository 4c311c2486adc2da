"""confman's Hydra plugins: ``hydra/sweeper=confman_bisect`` (see confman_bisect_sweeper)."""
