"""gRPC servicers, workers, the CLI, and the container that composes them."""
