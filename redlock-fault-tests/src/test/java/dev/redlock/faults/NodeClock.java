package dev.redlock.faults;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.redlock.test.FakeClock;
import dev.redlock.test.RedisServerProcess;

/**
 * The wall clock of one node, as far as a fault can move it forward. Redis expires a key when its
 * wall clock passes the key's deadline, so a clock that jumps expires every key with less time
 * to live than the jump at once, and one that runs fast expires keys early.
 */
interface NodeClock {

	/**
	 * Moves the node's clock forward.
	 * @param step how far
	 */
	void advance(Duration step);

	/**
	 * Whether the node's own clock moves (through {@code libfaketime}), not a model of it.
	 * @return {@code true} for a real clock
	 */
	boolean isReal();

	/**
	 * How far the clock has been moved in all.
	 * @return the offset
	 */
	Duration offset();

	/**
	 * A node on a fake clock.
	 * @param clock the clock
	 * @return its clock
	 */
	static NodeClock real(FakeClock clock) {
		return new NodeClock() {

			@Override
			public void advance(Duration step) {
				clock.advance(step);
			}

			@Override
			public boolean isReal() {
				return true;
			}

			@Override
			public Duration offset() {
				return clock.offset();
			}

		};
	}

	/**
	 * A model, for nodes whose clock cannot move: what the step does to the lock keys, done by a
	 * script on the node: each lock key's time to live shrinks by the step, and a key with no more
	 * time than that is deleted. Fencing counters and arming markers have no expiry and are left.
	 * @param server the node
	 * @return its clock model
	 */
	static NodeClock modelled(RedisServerProcess server) {
		String script = "local gone = 0 for _, key in ipairs(redis.call('keys', ARGV[1])) do "
				+ "if string.sub(key, -9) ~= ':fencing' then local ttl = redis.call('pttl', key) "
				+ "if ttl > 0 then if ttl <= tonumber(ARGV[2]) then redis.call('del', key) gone = gone + 1 "
				+ "else redis.call('pexpire', key, ttl - tonumber(ARGV[2])) end end end end return gone";
		AtomicLong offset = new AtomicLong();
		return new NodeClock() {

			@Override
			public void advance(Duration step) {
				offset.addAndGet(step.toNanos());
				server.call("EVAL", script, "0", LockNodes.KEY_PREFIX + "k*", Long.toString(Math.max(1, step.toMillis())));
			}

			@Override
			public boolean isReal() {
				return false;
			}

			@Override
			public Duration offset() {
				return Duration.ofNanos(offset.get());
			}

		};
	}

}
