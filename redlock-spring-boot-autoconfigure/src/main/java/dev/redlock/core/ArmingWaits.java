package dev.redlock.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why each unarmed node is not armed yet (arming): the current wait per node, logged once
 * per kind of reason so that a countdown does not repeat itself in the log.
 */
final class ArmingWaits {

	/** Logged as the arming itself is. */
	private static final Logger logger = LoggerFactory.getLogger("dev.redlock.core.Arming");

	/** Why an unarmed node is not armed yet, and the soonest it may be ({@link Ticker} time). */
	record Wait(String reason, long untilNanos) {
	}

	private final List<LockNode> nodes;

	private final AtomicReferenceArray<Wait> waits;

	ArmingWaits(List<LockNode> nodes) {
		this.nodes = nodes;
		this.waits = new AtomicReferenceArray<>(nodes.size());
	}

	/** Node {@code index}'s wait, or {@code null} if it is not waiting. */
	Wait get(int index) {
		return this.waits.get(index);
	}

	/** Node {@code index} is armed, or not waiting any more. */
	void clear(int index) {
		this.waits.set(index, null);
	}

	/**
	 * Node {@code index} waits for {@code reason} until {@code untilNanos}, logged when the kind of
	 * reason changes.
	 * @return {@code false}: the node is not armed
	 */
	boolean waitFor(int index, String reason, long untilNanos) {
		Wait previous = this.waits.getAndSet(index, new Wait(reason, untilNanos));
		if (previous == null || !sameKind(previous.reason(), reason)) {
			logger.info("Redlock node {} is not armed yet: {}", this.nodes.get(index).name(), reason);
		}
		return false;
	}

	/** Whether two reasons differ only in their numbers, so a countdown is logged once. */
	private static boolean sameKind(String a, String b) {
		return a.replaceAll("[0-9]+", "#").equals(b.replaceAll("[0-9]+", "#"));
	}

	/** Nanoseconds as whole milliseconds, never below 0, for a reason's countdown. */
	static long millis(long nanos) {
		return Math.max(0, Duration.ofNanos(nanos).toMillis());
	}

}
