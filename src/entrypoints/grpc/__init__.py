"""The gRPC front: thin servicers, error mapping, interceptors and the server."""
