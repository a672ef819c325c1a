package dev.redlock;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One request for a lock: what to lock, for how long, how long to wait, how to look after the
 * lease while it is held, and under which name it appears in metrics and the {@code redlock}
 * actuator endpoint. Start from {@link #of(String, Duration, Duration)} and adjust with the
 * {@code with…} methods.
 *
 * @param name a low-cardinality name for metrics and diagnostics, such as {@code orders} or
 * {@code OrderService.pay}; never an id
 * @param keys the lock keys, without the configured key prefix: one, or several that are taken
 * all or none (stored sorted and without duplicates, so that any two requests take shared keys in
 * the same order)
 * @param leaseTime how long the lock lives unless released or extended, positive
 * @param waitTime how long to keep trying to acquire it, zero (one attempt) or positive
 * @param autoRenew whether the lease is extended while the lock is held (if renewal is enabled
 * globally)
 * @param maxHoldTime the longest the lease is renewed, or {@code null} for the configured default;
 * after it the lock is left to expire
 * @param holdAtLeast the shortest time the lock is held: a release before it only shortens the
 * lease to the time left; zero to release at once
 * @param fencing whether to issue a fencing token ({@link LockHandle#fencingToken()})
 */
public record LockRequest(String name, List<String> keys, Duration leaseTime, Duration waitTime, boolean autoRenew,
		Duration maxHoldTime, Duration holdAtLeast, boolean fencing) {

	/**
	 * Validates the request.
	 * @param name the name
	 * @param keys the keys
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @param autoRenew whether to renew
	 * @param maxHoldTime the longest renewal, or {@code null}
	 * @param holdAtLeast the shortest hold
	 * @param fencing whether to issue a fencing token
	 * @throws IllegalArgumentException naming the field at fault
	 */
	public LockRequest {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("LockRequest name must not be blank");
		}
		if (keys == null || keys.isEmpty()) {
			throw new IllegalArgumentException("A lock needs at least one key");
		}
		for (String key : keys) {
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException("Lock key must not be null or blank, but was "
						+ ((key != null) ? "'" + key + "'" : "null"));
			}
		}
		keys = List.copyOf(new TreeSet<>(keys));
		Objects.requireNonNull(leaseTime, "leaseTime");
		Objects.requireNonNull(waitTime, "waitTime");
		Objects.requireNonNull(holdAtLeast, "holdAtLeast");
		if (leaseTime.isNegative() || leaseTime.isZero()) {
			throw new IllegalArgumentException("leaseTime must be positive, but was " + leaseTime);
		}
		if (waitTime.isNegative()) {
			throw new IllegalArgumentException("waitTime must not be negative, but was " + waitTime);
		}
		if (maxHoldTime != null && (maxHoldTime.isNegative() || maxHoldTime.isZero())) {
			throw new IllegalArgumentException("maxHoldTime must be positive, but was " + maxHoldTime);
		}
		if (holdAtLeast.isNegative()) {
			throw new IllegalArgumentException("holdAtLeast must not be negative, but was " + holdAtLeast);
		}
		if (holdAtLeast.compareTo(leaseTime) > 0 && !autoRenew) {
			throw new IllegalArgumentException("holdAtLeast (" + holdAtLeast + ") must not exceed leaseTime ("
					+ leaseTime + ") when the lease is not renewed");
		}
	}

	/**
	 * A request with renewal on, the default maximum hold time, no minimum hold and no fencing,
	 * named after its key ({@link #nameOf}).
	 * @param key the lock key
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @return the request
	 */
	public static LockRequest of(String key, Duration leaseTime, Duration waitTime) {
		return new LockRequest(nameOf(key), List.of(key), leaseTime, waitTime, true, null, Duration.ZERO, false);
	}

	/**
	 * A request for several keys at once, taken all or none on each node, otherwise like
	 * {@link #of(String, Duration, Duration)}; named after its first key in sorted order.
	 * @param keys the lock keys
	 * @param leaseTime the lease time
	 * @param waitTime the wait time
	 * @return the request
	 */
	public static LockRequest of(Collection<String> keys, Duration leaseTime, Duration waitTime) {
		List<String> sorted = List.copyOf(new TreeSet<>(keys));
		return new LockRequest(nameOf(sorted.isEmpty() ? null : sorted.get(0)), sorted, leaseTime, waitTime, true,
				null, Duration.ZERO, false);
	}

	/**
	 * The key for messages: the key, or the keys joined by commas.
	 * @return the key
	 */
	public String key() {
		return String.join(",", this.keys);
	}

	/**
	 * This request under another name.
	 * @param name the name for metrics and diagnostics
	 * @return the new request
	 */
	public LockRequest withName(String name) {
		return new LockRequest(name, this.keys, this.leaseTime, this.waitTime, this.autoRenew, this.maxHoldTime,
				this.holdAtLeast, this.fencing);
	}

	/**
	 * This request for other keys.
	 * @param keys the keys
	 * @return the new request
	 */
	public LockRequest withKeys(Collection<String> keys) {
		return new LockRequest(this.name, List.copyOf(keys), this.leaseTime, this.waitTime, this.autoRenew,
				this.maxHoldTime, this.holdAtLeast, this.fencing);
	}

	/**
	 * This request with renewal switched on or off.
	 * @param autoRenew whether to renew the lease while held
	 * @return the new request
	 */
	public LockRequest withAutoRenew(boolean autoRenew) {
		return new LockRequest(this.name, this.keys, this.leaseTime, this.waitTime, autoRenew, this.maxHoldTime,
				this.holdAtLeast, this.fencing);
	}

	/**
	 * This request with a maximum hold time.
	 * @param maxHoldTime the longest the lease is renewed, or {@code null} for the default
	 * @return the new request
	 */
	public LockRequest withMaxHoldTime(Duration maxHoldTime) {
		return new LockRequest(this.name, this.keys, this.leaseTime, this.waitTime, this.autoRenew, maxHoldTime,
				this.holdAtLeast, this.fencing);
	}

	/**
	 * This request with a minimum hold time.
	 * @param holdAtLeast the shortest hold
	 * @return the new request
	 */
	public LockRequest withHoldAtLeast(Duration holdAtLeast) {
		return new LockRequest(this.name, this.keys, this.leaseTime, this.waitTime, this.autoRenew, this.maxHoldTime,
				holdAtLeast, this.fencing);
	}

	/**
	 * This request with fencing tokens on or off.
	 * @param fencing whether to issue a fencing token
	 * @return the new request
	 */
	public LockRequest withFencing(boolean fencing) {
		return new LockRequest(this.name, this.keys, this.leaseTime, this.waitTime, this.autoRenew, this.maxHoldTime,
				this.holdAtLeast, fencing);
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
