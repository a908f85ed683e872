"""Running lint: discovery, the run loop, worker processes, the cache, project configuration, fixes."""
