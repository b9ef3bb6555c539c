from adapters.messaging.backoff import Backoff


def delays(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next_delay() for _ in range(count)]


def test_each_delay_doubles_and_keeps_at_least_half_of_its_step():
    for _ in range(50):
        got = delays(Backoff(first_delay=1.0, max_delay=100.0), 4)
        assert all(step / 2 <= delay <= step for delay, step in zip(got, [1, 2, 4, 8], strict=True))


def test_a_broker_down_for_long_is_retried_no_slower_than_the_ceiling():
    got = delays(Backoff(first_delay=1.0, max_delay=15.0), 30)
    assert max(got) <= 15.0 and min(got[-10:]) >= 7.5


def test_the_delays_are_jittered_so_relays_do_not_retry_in_step():
    assert len({Backoff(first_delay=1.0).next_delay() for _ in range(20)}) > 1


def test_a_success_starts_the_backoff_over():
    backoff = Backoff(first_delay=1.0)
    delays(backoff, 5)
    backoff.reset()
    assert backoff.next_delay() <= 1.0
