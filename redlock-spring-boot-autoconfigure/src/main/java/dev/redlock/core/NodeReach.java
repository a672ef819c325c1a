package dev.redlock.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Whether each node could be reached at the engine's latest news of it: an answer (to a probe or
 * a lock call) says it can; a probe that got no answer, or a call whose connection was refused,
 * says it cannot. Only news younger than the freshness bound counts: a node heard of as unreachable
 * longer ago, or never heard of, may be up, so one old failure never keeps calls from being tried.
 */
final class NodeReach {

	/** The latest news of a node that could not be reached: why, and when ({@link Ticker} time). */
	private record Unreachable(String reason, long at) {
	}

	private final AtomicReferenceArray<Unreachable> news;

	private final long freshNanos;

	/**
	 * @param nodes how many nodes there are
	 * @param fresh how long the news that a node cannot be reached is believed
	 */
	NodeReach(int nodes, Duration fresh) {
		this.news = new AtomicReferenceArray<>(nodes);
		this.freshNanos = fresh.toNanos();
	}

	/** Node {@code index} answered: it can be reached. */
	void answered(int index) {
		Unreachable latest = this.news.get(index);
		if (latest != null) {
			// a refusal heard meanwhile is newer news: it stays
			this.news.compareAndSet(index, latest, null);
		}
	}

	/** Node {@code index} could not be reached at {@code now}, for {@code reason}. */
	void unreachable(int index, String reason, long now) {
		this.news.set(index, new Unreachable(reason, now));
	}

	/**
	 * Why node {@code index} cannot answer now, or {@code null} if it may: the latest news of it
	 * is that it could not be reached, and that news is fresh.
	 * @param index the node
	 * @param now the ticker's time
	 * @return the reason, or {@code null}
	 */
	String unreachable(int index, long now) {
		Unreachable latest = this.news.get(index);
		if (latest == null || now - latest.at() > this.freshNanos) {
			return null;
		}
		return "unreachable " + Math.max(0, Duration.ofNanos(now - latest.at()).toMillis()) + "ms ago ("
				+ latest.reason() + ")";
	}

}
