package dev.redlock;

import java.time.Duration;
import java.util.Objects;

/**
 * One request for a lock: what to lock, for how long, how long to wait, and under which name it
 * appears in metrics and the {@code redlock} actuator endpoint.
 *
 * @param name a low-cardinality name for metrics and diagnostics, such as {@code orders} or
 * {@code OrderService.pay}; never an id
 * @param key the lock key, without the configured key prefix
 * @param leaseTime how long the lock lives unless released or extended, positive
 * @param waitTime how long to keep trying to acquire it, zero (one attempt) or positive
 */
public record LockRequest(String name, String key, Duration leaseTime, Duration waitTime) {

	/**
	 * Validates the request.
	 * @param name the name
	 * @param key the key
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @throws IllegalArgumentException naming the field at fault
	 */
	public LockRequest {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("LockRequest name must not be blank");
		}
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("Lock key must not be null or blank, but was "
					+ ((key != null) ? "'" + key + "'" : "null"));
		}
		Objects.requireNonNull(leaseTime, "leaseTime");
		Objects.requireNonNull(waitTime, "waitTime");
		if (leaseTime.isNegative() || leaseTime.isZero()) {
			throw new IllegalArgumentException("leaseTime must be positive, but was " + leaseTime);
		}
		if (waitTime.isNegative()) {
			throw new IllegalArgumentException("waitTime must not be negative, but was " + waitTime);
		}
	}

	/**
	 * The name a key implies when none is given: the part before the first {@code :}, so that
	 * {@code order:42} is named {@code order}; keys without a colon are named {@code unnamed}, to
	 * keep metric tags few.
	 * @param key the key
	 * @return the name
	 */
	public static String nameOf(String key) {
		int colon = (key != null) ? key.indexOf(':') : -1;
		return (colon > 0) ? key.substring(0, colon) : "unnamed";
	}

}
