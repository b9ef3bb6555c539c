"""`make cluster`: three o2c replicas on one PostgreSQL and a three-node NATS JetStream cluster,
a month-end run across them with one replica killed, and a report of what must hold."""
