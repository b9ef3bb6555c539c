"""Use cases over the domain, and the ports the outside world must implement."""
