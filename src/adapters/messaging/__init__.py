"""NATS JetStream: the outbox relay, the event codec, and an embedded server for local runs."""
